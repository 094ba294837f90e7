{# Grain: one row per experiment x unit_type x unit_id (each logged unit once). #}

-- The viewer and the creator units in one table, each kind's measures null on
-- the other kind's rows. A full-refresh table: it aggregates nothing (the
-- incremental work is done in the two unit marts), and rebuilt whole it
-- always agrees with them.
{{ config(materialized='table') }}

with

fct_experiment_viewer_units as (
    select
        experiment_id,
        viewer_id,
        variant,
        first_assigned_at,
        assignment_row_count,
        has_conflicting_variants,
        pre_period_start_date,
        experiment_start_date,
        experiment_end_date,
        pre_impression_count,
        pre_view_count,
        pre_watch_ms,
        pre_active_days,
        during_impression_count,
        during_view_count,
        during_watch_ms,
        during_completed_view_count,
        during_for_you_impression_count,
        during_for_you_view_count,
        during_active_days,
        during_treatment_creator_impression_count,
        during_treatment_creator_view_count,
        during_control_creator_impression_count,
        during_control_creator_view_count
    from {{ ref('fct_experiment_viewer_units') }}
),

fct_experiment_creator_units as (
    select
        experiment_id,
        creator_id,
        variant,
        first_assigned_at,
        assignment_row_count,
        has_conflicting_variants,
        pre_period_start_date,
        experiment_start_date,
        experiment_end_date,
        pre_post_count,
        pre_impressions_received_count,
        pre_views_received_count,
        during_post_count,
        during_impressions_received_count,
        during_views_received_count,
        during_watch_ms_received
    from {{ ref('fct_experiment_creator_units') }}
),

viewer_units_padded as (
    select
        experiment_id,
        'viewer' as unit_type,
        viewer_id as unit_id,
        variant,
        first_assigned_at,
        assignment_row_count,
        has_conflicting_variants,
        pre_period_start_date,
        experiment_start_date,
        experiment_end_date,
        pre_impression_count,
        pre_view_count,
        pre_watch_ms,
        pre_active_days,
        cast(null as bigint) as pre_post_count,
        cast(null as bigint) as pre_impressions_received_count,
        cast(null as bigint) as pre_views_received_count,
        during_impression_count,
        during_view_count,
        during_watch_ms,
        during_completed_view_count,
        during_for_you_impression_count,
        during_for_you_view_count,
        during_active_days,
        during_treatment_creator_impression_count,
        during_treatment_creator_view_count,
        during_control_creator_impression_count,
        during_control_creator_view_count,
        cast(null as bigint) as during_post_count,
        cast(null as bigint) as during_impressions_received_count,
        cast(null as bigint) as during_views_received_count,
        cast(null as bigint) as during_watch_ms_received
    from fct_experiment_viewer_units
),

creator_units_padded as (
    select
        experiment_id,
        'creator' as unit_type,
        creator_id as unit_id,
        variant,
        first_assigned_at,
        assignment_row_count,
        has_conflicting_variants,
        pre_period_start_date,
        experiment_start_date,
        experiment_end_date,
        cast(null as bigint) as pre_impression_count,
        cast(null as bigint) as pre_view_count,
        cast(null as bigint) as pre_watch_ms,
        cast(null as bigint) as pre_active_days,
        pre_post_count,
        pre_impressions_received_count,
        pre_views_received_count,
        cast(null as bigint) as during_impression_count,
        cast(null as bigint) as during_view_count,
        cast(null as bigint) as during_watch_ms,
        cast(null as bigint) as during_completed_view_count,
        cast(null as bigint) as during_for_you_impression_count,
        cast(null as bigint) as during_for_you_view_count,
        cast(null as bigint) as during_active_days,
        cast(null as bigint) as during_treatment_creator_impression_count,
        cast(null as bigint) as during_treatment_creator_view_count,
        cast(null as bigint) as during_control_creator_impression_count,
        cast(null as bigint) as during_control_creator_view_count,
        during_post_count,
        during_impressions_received_count,
        during_views_received_count,
        during_watch_ms_received
    from fct_experiment_creator_units
),

units_unioned as (
    select * from viewer_units_padded
    union all
    select * from creator_units_padded
)

select * from units_unioned
