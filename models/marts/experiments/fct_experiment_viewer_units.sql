{# Grain: one row per experiment x viewer logged as exposed to it. #}

-- Incremental by experiment: a run re-processes only the experiments still
-- open to new data (ended within the lookback of the newest view); a finished
-- experiment's units no longer change. A registry edit to a finished
-- experiment needs --full-refresh.
{{
    config(
        materialized='incremental',
        unique_key='experiment_id',
        partition_by=['experiment_id'],
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
    )
}}

with

int_experiment_units_assigned as (
    select
        experiment_id,
        unit_type,
        unit_id,
        variant,
        first_assigned_at,
        assignment_row_count,
        has_conflicting_variants,
        randomization_unit,
        pre_period_start_date,
        experiment_start_date,
        experiment_end_date
    from {{ ref('int_experiment_units_assigned') }}
    {% if is_incremental() %}
        where
            experiment_end_date
            >= {{ incremental_since('view_date', relation=ref('int_views_enriched')) }}
    {% endif %}
),

int_impressions_enriched as (
    select
        viewer_id,
        creator_id,
        impression_date,
        served_at,
        surface_code
    from {{ ref('int_impressions_enriched') }}
),

int_views_enriched as (
    select
        viewer_id,
        creator_id,
        view_date,
        viewed_at,
        surface_code,
        watch_ms,
        is_completed
    from {{ ref('int_views_enriched') }}
),

viewer_units as (
    select
        experiment_id,
        unit_id as viewer_id,
        variant,
        first_assigned_at,
        assignment_row_count,
        has_conflicting_variants,
        randomization_unit,
        pre_period_start_date,
        experiment_start_date,
        experiment_end_date
    from int_experiment_units_assigned
    where unit_type = 'viewer'
),

-- The creator side's arm, to split a two-sided experiment's viewer metrics by
-- the arm of the creator whose post was shown. Randomization fixes a creator's
-- arm whenever it is logged, so the arm applies to all of the window.
creator_arms as (
    select
        experiment_id,
        unit_id as creator_id,
        variant as creator_variant
    from int_experiment_units_assigned
    where unit_type = 'creator' and not has_conflicting_variants
),

impressions_aggregated as (
    select
        viewer_units.experiment_id,
        viewer_units.viewer_id,
        count(*) filter (
            where int_impressions_enriched.impression_date < viewer_units.experiment_start_date
        ) as pre_impression_count,
        count(*) filter (
            where int_impressions_enriched.served_at >= viewer_units.first_assigned_at
        ) as during_impression_count,
        count(*) filter (
            where int_impressions_enriched.served_at >= viewer_units.first_assigned_at
            and int_impressions_enriched.surface_code = 'for_you'
        ) as during_for_you_impression_count,
        count(*) filter (
            where int_impressions_enriched.served_at >= viewer_units.first_assigned_at
            and creator_arms.creator_variant = 'treatment'
        ) as during_treatment_creator_impression_count,
        count(*) filter (
            where int_impressions_enriched.served_at >= viewer_units.first_assigned_at
            and creator_arms.creator_variant = 'control'
        ) as during_control_creator_impression_count
    from viewer_units
    inner join int_impressions_enriched
        on
            viewer_units.viewer_id = int_impressions_enriched.viewer_id
            and viewer_units.pre_period_start_date
            <= int_impressions_enriched.impression_date
            and viewer_units.experiment_end_date >= int_impressions_enriched.impression_date
    left join creator_arms
        on
            viewer_units.experiment_id = creator_arms.experiment_id
            and int_impressions_enriched.creator_id = creator_arms.creator_id
    group by viewer_units.experiment_id, viewer_units.viewer_id
),

views_aggregated as (
    select
        viewer_units.experiment_id,
        viewer_units.viewer_id,
        count(*) filter (
            where int_views_enriched.view_date < viewer_units.experiment_start_date
        ) as pre_view_count,
        sum(int_views_enriched.watch_ms) filter (
            where int_views_enriched.view_date < viewer_units.experiment_start_date
        ) as pre_watch_ms,
        count(distinct int_views_enriched.view_date) filter (
            where int_views_enriched.view_date < viewer_units.experiment_start_date
        ) as pre_active_days,
        count(*) filter (
            where int_views_enriched.viewed_at >= viewer_units.first_assigned_at
        ) as during_view_count,
        sum(int_views_enriched.watch_ms) filter (
            where int_views_enriched.viewed_at >= viewer_units.first_assigned_at
        ) as during_watch_ms,
        count(*) filter (
            where int_views_enriched.viewed_at >= viewer_units.first_assigned_at
            and int_views_enriched.is_completed
        ) as during_completed_view_count,
        count(*) filter (
            where int_views_enriched.viewed_at >= viewer_units.first_assigned_at
            and int_views_enriched.surface_code = 'for_you'
        ) as during_for_you_view_count,
        count(distinct int_views_enriched.view_date) filter (
            where int_views_enriched.viewed_at >= viewer_units.first_assigned_at
        ) as during_active_days,
        count(*) filter (
            where int_views_enriched.viewed_at >= viewer_units.first_assigned_at
            and creator_arms.creator_variant = 'treatment'
        ) as during_treatment_creator_view_count,
        count(*) filter (
            where int_views_enriched.viewed_at >= viewer_units.first_assigned_at
            and creator_arms.creator_variant = 'control'
        ) as during_control_creator_view_count
    from viewer_units
    inner join int_views_enriched
        on
            viewer_units.viewer_id = int_views_enriched.viewer_id
            and viewer_units.pre_period_start_date <= int_views_enriched.view_date
            and viewer_units.experiment_end_date >= int_views_enriched.view_date
    left join creator_arms
        on
            viewer_units.experiment_id = creator_arms.experiment_id
            and int_views_enriched.creator_id = creator_arms.creator_id
    group by viewer_units.experiment_id, viewer_units.viewer_id
),

-- The creator-arm split only exists where both sides are randomized.
viewer_units_measured as (
    select
        viewer_units.experiment_id,
        viewer_units.viewer_id,
        viewer_units.variant,
        viewer_units.first_assigned_at,
        viewer_units.assignment_row_count,
        viewer_units.has_conflicting_variants,
        viewer_units.pre_period_start_date,
        viewer_units.experiment_start_date,
        viewer_units.experiment_end_date,
        coalesce(impressions_aggregated.pre_impression_count, 0) as pre_impression_count,
        coalesce(views_aggregated.pre_view_count, 0) as pre_view_count,
        cast(coalesce(views_aggregated.pre_watch_ms, 0) as bigint) as pre_watch_ms,
        coalesce(views_aggregated.pre_active_days, 0) as pre_active_days,
        coalesce(impressions_aggregated.during_impression_count, 0)
            as during_impression_count,
        coalesce(views_aggregated.during_view_count, 0) as during_view_count,
        cast(coalesce(views_aggregated.during_watch_ms, 0) as bigint) as during_watch_ms,
        coalesce(views_aggregated.during_completed_view_count, 0)
            as during_completed_view_count,
        coalesce(impressions_aggregated.during_for_you_impression_count, 0)
            as during_for_you_impression_count,
        coalesce(views_aggregated.during_for_you_view_count, 0)
            as during_for_you_view_count,
        coalesce(views_aggregated.during_active_days, 0) as during_active_days,
        case
            when viewer_units.randomization_unit = 'both'
                then coalesce(
                        impressions_aggregated.during_treatment_creator_impression_count, 0
                    )
        end as during_treatment_creator_impression_count,
        case
            when viewer_units.randomization_unit = 'both'
                then coalesce(views_aggregated.during_treatment_creator_view_count, 0)
        end as during_treatment_creator_view_count,
        case
            when viewer_units.randomization_unit = 'both'
                then coalesce(
                        impressions_aggregated.during_control_creator_impression_count, 0
                    )
        end as during_control_creator_impression_count,
        case
            when viewer_units.randomization_unit = 'both'
                then coalesce(views_aggregated.during_control_creator_view_count, 0)
        end as during_control_creator_view_count
    from viewer_units
    left join impressions_aggregated
        on
            viewer_units.experiment_id = impressions_aggregated.experiment_id
            and viewer_units.viewer_id = impressions_aggregated.viewer_id
    left join views_aggregated
        on
            viewer_units.experiment_id = views_aggregated.experiment_id
            and viewer_units.viewer_id = views_aggregated.viewer_id
)

select {{ partition_write_hint() }} * from viewer_units_measured
