{# Grain: one row per experiment x unit_type x unit_id (each logged unit once). #}

-- Incremental by experiment: a run re-processes only the experiments still
-- open to new data (ended within the lookback of the newest view); a finished
-- experiment's units no longer change. A registry edit to a finished
-- experiment needs --full-refresh.
{{
    config(
        materialized='incremental',
        unique_key='experiment_id',
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
    )
}}

with

stg_pgc__experiment_assignments as (
    select
        assignment_id,
        experiment_id,
        unit_type,
        unit_id,
        variant,
        assigned_at
    from {{ ref('stg_pgc__experiment_assignments') }}
),

experiment_registry as (
    select
        experiment_id,
        randomization_unit,
        start_date,
        end_date
    from {{ ref('experiment_registry') }}
    {% if is_incremental() %}
        where end_date >= {{ incremental_since('view_date', relation=ref('int_views_enriched')) }}
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

stg_pgc__content_items as (
    select
        creator_id,
        published_at
    from {{ ref('stg_pgc__content_items') }}
),

-- A unit can be logged more than once; its first logged exposure sets its variant.
assignments_ranked as (
    select
        experiment_id,
        unit_type,
        unit_id,
        variant,
        assigned_at,
        row_number() over (
            partition by experiment_id, unit_type, unit_id
            order by assigned_at asc, assignment_id asc
        ) as assignment_rank
    from stg_pgc__experiment_assignments
),

units_deduplicated as (
    select
        experiment_id,
        unit_type,
        unit_id,
        max(case when assignment_rank = 1 then variant end) as variant,
        min(assigned_at) as first_assigned_at,
        count(*) as assignment_row_count,
        count(distinct variant) > 1 as has_conflicting_variants
    from assignments_ranked
    group by experiment_id, unit_type, unit_id
),

-- Pre-period: the 14 days before the start date; during: from the unit's first
-- exposure to the end of the end date.
units_with_windows as (
    select
        units_deduplicated.experiment_id,
        units_deduplicated.unit_type,
        units_deduplicated.unit_id,
        units_deduplicated.variant,
        units_deduplicated.first_assigned_at,
        units_deduplicated.assignment_row_count,
        units_deduplicated.has_conflicting_variants,
        experiment_registry.randomization_unit,
        cast({{ dbt.dateadd('day', -14, 'experiment_registry.start_date') }} as date)
            as pre_period_start_date,
        experiment_registry.start_date as experiment_start_date,
        experiment_registry.end_date as experiment_end_date
    from units_deduplicated
    inner join experiment_registry
        on units_deduplicated.experiment_id = experiment_registry.experiment_id
),

-- The creator side's arm, to split a two-sided experiment's viewer metrics by
-- the arm of the creator whose post was shown. Randomization fixes a creator's
-- arm whenever it is logged, so the arm applies to all of the window.
creator_arms as (
    select
        experiment_id,
        unit_id as creator_id,
        variant as creator_variant
    from units_with_windows
    where unit_type = 'creator' and not has_conflicting_variants
),

viewer_units as (
    select * from units_with_windows
    where unit_type = 'viewer'
),

creator_units as (
    select * from units_with_windows
    where unit_type = 'creator'
),

viewer_impressions_aggregated as (
    select
        viewer_units.experiment_id,
        viewer_units.unit_id,
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
            viewer_units.unit_id = int_impressions_enriched.viewer_id
            and viewer_units.pre_period_start_date
            <= int_impressions_enriched.impression_date
            and viewer_units.experiment_end_date >= int_impressions_enriched.impression_date
    left join creator_arms
        on
            viewer_units.experiment_id = creator_arms.experiment_id
            and int_impressions_enriched.creator_id = creator_arms.creator_id
    group by viewer_units.experiment_id, viewer_units.unit_id
),

viewer_views_aggregated as (
    select
        viewer_units.experiment_id,
        viewer_units.unit_id,
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
            viewer_units.unit_id = int_views_enriched.viewer_id
            and viewer_units.pre_period_start_date <= int_views_enriched.view_date
            and viewer_units.experiment_end_date >= int_views_enriched.view_date
    left join creator_arms
        on
            viewer_units.experiment_id = creator_arms.experiment_id
            and int_views_enriched.creator_id = creator_arms.creator_id
    group by viewer_units.experiment_id, viewer_units.unit_id
),

creator_posts_aggregated as (
    select
        creator_units.experiment_id,
        creator_units.unit_id,
        count(*) filter (
            where stg_pgc__content_items.published_at < creator_units.experiment_start_date
        ) as pre_post_count,
        count(*) filter (
            where stg_pgc__content_items.published_at >= creator_units.first_assigned_at
        ) as during_post_count
    from creator_units
    inner join stg_pgc__content_items
        on
            creator_units.unit_id = stg_pgc__content_items.creator_id
            and creator_units.pre_period_start_date <= stg_pgc__content_items.published_at
            and stg_pgc__content_items.published_at < {{
                dbt.dateadd('day', 1, 'creator_units.experiment_end_date')
            }}
    group by creator_units.experiment_id, creator_units.unit_id
),

creator_impressions_aggregated as (
    select
        creator_units.experiment_id,
        creator_units.unit_id,
        count(*) filter (
            where int_impressions_enriched.impression_date < creator_units.experiment_start_date
        ) as pre_impressions_received_count,
        count(*) filter (
            where int_impressions_enriched.served_at >= creator_units.first_assigned_at
        ) as during_impressions_received_count
    from creator_units
    inner join int_impressions_enriched
        on
            creator_units.unit_id = int_impressions_enriched.creator_id
            and creator_units.pre_period_start_date
            <= int_impressions_enriched.impression_date
            and creator_units.experiment_end_date >= int_impressions_enriched.impression_date
    group by creator_units.experiment_id, creator_units.unit_id
),

creator_views_aggregated as (
    select
        creator_units.experiment_id,
        creator_units.unit_id,
        count(*) filter (
            where int_views_enriched.view_date < creator_units.experiment_start_date
        ) as pre_views_received_count,
        count(*) filter (
            where int_views_enriched.viewed_at >= creator_units.first_assigned_at
        ) as during_views_received_count,
        sum(int_views_enriched.watch_ms) filter (
            where int_views_enriched.viewed_at >= creator_units.first_assigned_at
        ) as during_watch_ms_received
    from creator_units
    inner join int_views_enriched
        on
            creator_units.unit_id = int_views_enriched.creator_id
            and creator_units.pre_period_start_date <= int_views_enriched.view_date
            and creator_units.experiment_end_date >= int_views_enriched.view_date
    group by creator_units.experiment_id, creator_units.unit_id
),

-- Viewer and creator units carry different measures; the other side's are null.
-- The creator-arm split only exists where both sides are randomized.
viewer_units_measured as (
    select
        viewer_units.experiment_id,
        viewer_units.unit_type,
        viewer_units.unit_id,
        viewer_units.variant,
        viewer_units.first_assigned_at,
        viewer_units.assignment_row_count,
        viewer_units.has_conflicting_variants,
        viewer_units.pre_period_start_date,
        viewer_units.experiment_start_date,
        viewer_units.experiment_end_date,
        coalesce(viewer_impressions_aggregated.pre_impression_count, 0)
            as pre_impression_count,
        coalesce(viewer_views_aggregated.pre_view_count, 0) as pre_view_count,
        cast(coalesce(viewer_views_aggregated.pre_watch_ms, 0) as bigint) as pre_watch_ms,
        coalesce(viewer_views_aggregated.pre_active_days, 0) as pre_active_days,
        cast(null as bigint) as pre_post_count,
        cast(null as bigint) as pre_impressions_received_count,
        cast(null as bigint) as pre_views_received_count,
        coalesce(viewer_impressions_aggregated.during_impression_count, 0)
            as during_impression_count,
        coalesce(viewer_views_aggregated.during_view_count, 0) as during_view_count,
        cast(coalesce(viewer_views_aggregated.during_watch_ms, 0) as bigint)
            as during_watch_ms,
        coalesce(viewer_views_aggregated.during_completed_view_count, 0)
            as during_completed_view_count,
        coalesce(viewer_impressions_aggregated.during_for_you_impression_count, 0)
            as during_for_you_impression_count,
        coalesce(viewer_views_aggregated.during_for_you_view_count, 0)
            as during_for_you_view_count,
        coalesce(viewer_views_aggregated.during_active_days, 0) as during_active_days,
        case
            when viewer_units.randomization_unit = 'both'
                then coalesce(
                        viewer_impressions_aggregated.during_treatment_creator_impression_count, 0
                    )
        end as during_treatment_creator_impression_count,
        case
            when viewer_units.randomization_unit = 'both'
                then coalesce(viewer_views_aggregated.during_treatment_creator_view_count, 0)
        end as during_treatment_creator_view_count,
        case
            when viewer_units.randomization_unit = 'both'
                then coalesce(
                        viewer_impressions_aggregated.during_control_creator_impression_count, 0
                    )
        end as during_control_creator_impression_count,
        case
            when viewer_units.randomization_unit = 'both'
                then coalesce(viewer_views_aggregated.during_control_creator_view_count, 0)
        end as during_control_creator_view_count,
        cast(null as bigint) as during_post_count,
        cast(null as bigint) as during_impressions_received_count,
        cast(null as bigint) as during_views_received_count,
        cast(null as bigint) as during_watch_ms_received
    from viewer_units
    left join viewer_impressions_aggregated
        on
            viewer_units.experiment_id = viewer_impressions_aggregated.experiment_id
            and viewer_units.unit_id = viewer_impressions_aggregated.unit_id
    left join viewer_views_aggregated
        on
            viewer_units.experiment_id = viewer_views_aggregated.experiment_id
            and viewer_units.unit_id = viewer_views_aggregated.unit_id
),

creator_units_measured as (
    select
        creator_units.experiment_id,
        creator_units.unit_type,
        creator_units.unit_id,
        creator_units.variant,
        creator_units.first_assigned_at,
        creator_units.assignment_row_count,
        creator_units.has_conflicting_variants,
        creator_units.pre_period_start_date,
        creator_units.experiment_start_date,
        creator_units.experiment_end_date,
        cast(null as bigint) as pre_impression_count,
        cast(null as bigint) as pre_view_count,
        cast(null as bigint) as pre_watch_ms,
        cast(null as bigint) as pre_active_days,
        coalesce(creator_posts_aggregated.pre_post_count, 0) as pre_post_count,
        coalesce(creator_impressions_aggregated.pre_impressions_received_count, 0)
            as pre_impressions_received_count,
        coalesce(creator_views_aggregated.pre_views_received_count, 0)
            as pre_views_received_count,
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
        coalesce(creator_posts_aggregated.during_post_count, 0) as during_post_count,
        coalesce(creator_impressions_aggregated.during_impressions_received_count, 0)
            as during_impressions_received_count,
        coalesce(creator_views_aggregated.during_views_received_count, 0)
            as during_views_received_count,
        cast(coalesce(creator_views_aggregated.during_watch_ms_received, 0) as bigint)
            as during_watch_ms_received
    from creator_units
    left join creator_posts_aggregated
        on
            creator_units.experiment_id = creator_posts_aggregated.experiment_id
            and creator_units.unit_id = creator_posts_aggregated.unit_id
    left join creator_impressions_aggregated
        on
            creator_units.experiment_id = creator_impressions_aggregated.experiment_id
            and creator_units.unit_id = creator_impressions_aggregated.unit_id
    left join creator_views_aggregated
        on
            creator_units.experiment_id = creator_views_aggregated.experiment_id
            and creator_units.unit_id = creator_views_aggregated.unit_id
),

units_measured as (
    select * from viewer_units_measured
    union all
    select * from creator_units_measured
)

select * from units_measured
