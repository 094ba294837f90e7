{# Grain: one row per experiment x creator logged as exposed to it. #}

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
        creator_id,
        impression_date,
        served_at
    from {{ ref('int_impressions_enriched') }}
),

int_views_enriched as (
    select
        creator_id,
        view_date,
        viewed_at,
        watch_ms
    from {{ ref('int_views_enriched') }}
),

stg_pgc__content_items as (
    select
        creator_id,
        published_at
    from {{ ref('stg_pgc__content_items') }}
),

creator_units as (
    select
        experiment_id,
        unit_id as creator_id,
        variant,
        first_assigned_at,
        assignment_row_count,
        has_conflicting_variants,
        pre_period_start_date,
        experiment_start_date,
        experiment_end_date
    from int_experiment_units_assigned
    where unit_type = 'creator'
),

posts_aggregated as (
    select
        creator_units.experiment_id,
        creator_units.creator_id,
        count(*) filter (
            where stg_pgc__content_items.published_at < creator_units.experiment_start_date
        ) as pre_post_count,
        count(*) filter (
            where stg_pgc__content_items.published_at >= creator_units.first_assigned_at
        ) as during_post_count
    from creator_units
    inner join stg_pgc__content_items
        on
            creator_units.creator_id = stg_pgc__content_items.creator_id
            and creator_units.pre_period_start_date <= stg_pgc__content_items.published_at
            and stg_pgc__content_items.published_at < {{
                dbt.dateadd('day', 1, 'creator_units.experiment_end_date')
            }}
    group by creator_units.experiment_id, creator_units.creator_id
),

impressions_aggregated as (
    select
        creator_units.experiment_id,
        creator_units.creator_id,
        count(*) filter (
            where int_impressions_enriched.impression_date < creator_units.experiment_start_date
        ) as pre_impressions_received_count,
        count(*) filter (
            where int_impressions_enriched.served_at >= creator_units.first_assigned_at
        ) as during_impressions_received_count
    from creator_units
    inner join int_impressions_enriched
        on
            creator_units.creator_id = int_impressions_enriched.creator_id
            and creator_units.pre_period_start_date
            <= int_impressions_enriched.impression_date
            and creator_units.experiment_end_date >= int_impressions_enriched.impression_date
    group by creator_units.experiment_id, creator_units.creator_id
),

views_aggregated as (
    select
        creator_units.experiment_id,
        creator_units.creator_id,
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
            creator_units.creator_id = int_views_enriched.creator_id
            and creator_units.pre_period_start_date <= int_views_enriched.view_date
            and creator_units.experiment_end_date >= int_views_enriched.view_date
    group by creator_units.experiment_id, creator_units.creator_id
),

creator_units_measured as (
    select
        creator_units.experiment_id,
        creator_units.creator_id,
        creator_units.variant,
        creator_units.first_assigned_at,
        creator_units.assignment_row_count,
        creator_units.has_conflicting_variants,
        creator_units.pre_period_start_date,
        creator_units.experiment_start_date,
        creator_units.experiment_end_date,
        coalesce(posts_aggregated.pre_post_count, 0) as pre_post_count,
        coalesce(impressions_aggregated.pre_impressions_received_count, 0)
            as pre_impressions_received_count,
        coalesce(views_aggregated.pre_views_received_count, 0)
            as pre_views_received_count,
        coalesce(posts_aggregated.during_post_count, 0) as during_post_count,
        coalesce(impressions_aggregated.during_impressions_received_count, 0)
            as during_impressions_received_count,
        coalesce(views_aggregated.during_views_received_count, 0)
            as during_views_received_count,
        cast(coalesce(views_aggregated.during_watch_ms_received, 0) as bigint)
            as during_watch_ms_received
    from creator_units
    left join posts_aggregated
        on
            creator_units.experiment_id = posts_aggregated.experiment_id
            and creator_units.creator_id = posts_aggregated.creator_id
    left join impressions_aggregated
        on
            creator_units.experiment_id = impressions_aggregated.experiment_id
            and creator_units.creator_id = impressions_aggregated.creator_id
    left join views_aggregated
        on
            creator_units.experiment_id = views_aggregated.experiment_id
            and creator_units.creator_id = views_aggregated.creator_id
)

select {{ partition_write_hint() }} * from creator_units_measured
