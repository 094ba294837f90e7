{# Grain: one row per creator and day on which a post of the creator was served. #}

{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_strategy(),
        unique_key='activity_date',
        partition_by=['activity_date'],
        on_schema_change='fail',
    )
}}

{#- A view counts on the day its impression was served, not the day the play
    started: a play starts seconds after its impression, so a play logged just
    after midnight can belong to the day before. Only impressions served in the
    last `view_start_max_delay_seconds` of a day are looked up, which keeps the
    join small at any scale. -#}

{%- set max_delay_seconds = var('view_start_max_delay_seconds', 300) %}

with

int_impressions_enriched as (
    select
        creator_id,
        impression_date
    from {{ ref('int_impressions_enriched') }}
    {%- if is_incremental() %}
        where impression_date >= {{ incremental_since('activity_date') }}
    {%- endif %}
),

int_views_enriched as (
    select
        impression_id,
        creator_id,
        creator_region_code,
        view_date,
        watch_ms,
        is_completed
    from {{ ref('int_views_enriched') }}
    {%- if is_incremental() %}
        where view_date >= {{ incremental_since('activity_date') }}
    {%- endif %}
),

impressions_before_midnight as (
    select
        impression_id,
        cast(served_at as date) as impression_date
    from {{ ref('stg_pgc__impressions') }}
    where
        served_at >= {{
            dbt.dateadd('second', 86400 - max_delay_seconds, dbt.date_trunc('day', 'served_at'))
        }}
    {%- if is_incremental() %}
        and served_at >= {{ dbt.dateadd('day', -1, incremental_since('activity_date')) }}
    {%- endif %}
),

-- What makes a view qualified (counted for payouts) is a rule of the rewards program.
rewards_program_rules as (
    select
        region_code,
        min_qualified_watch_ms
    from {{ ref('rewards_program_rules') }}
    where program_id = 'creator_rewards'
),

views_dated as (
    select
        int_views_enriched.creator_id,
        coalesce(
            impressions_before_midnight.impression_date, int_views_enriched.view_date
        ) as activity_date,
        int_views_enriched.watch_ms,
        int_views_enriched.is_completed,
        coalesce(
            int_views_enriched.watch_ms >= rewards_program_rules.min_qualified_watch_ms, false
        ) as is_qualified
    from int_views_enriched
    left join impressions_before_midnight
        on int_views_enriched.impression_id = impressions_before_midnight.impression_id
    left join rewards_program_rules
        on int_views_enriched.creator_region_code = rewards_program_rules.region_code
),

views_daily as (
    select
        creator_id,
        activity_date,
        count(*) as view_count,
        sum(case when is_completed then 1 else 0 end) as completed_view_count,
        sum(watch_ms) as watch_ms,
        sum(case when is_qualified then 1 else 0 end) as qualified_view_count
    from views_dated
    group by creator_id, activity_date
),

impressions_daily as (
    select
        creator_id,
        impression_date as activity_date,
        count(*) as impression_count
    from int_impressions_enriched
    group by creator_id, impression_date
),

joined as (
    select
        coalesce(impressions_daily.creator_id, views_daily.creator_id) as creator_id,
        coalesce(impressions_daily.activity_date, views_daily.activity_date) as activity_date,
        cast(coalesce(impressions_daily.impression_count, 0) as bigint) as impression_count,
        cast(coalesce(views_daily.view_count, 0) as bigint) as view_count,
        cast(coalesce(views_daily.completed_view_count, 0) as bigint) as completed_view_count,
        cast(coalesce(views_daily.watch_ms, 0) as bigint) as watch_ms,
        cast(coalesce(views_daily.qualified_view_count, 0) as bigint) as qualified_view_count
    from impressions_daily
    full outer join views_daily
        on
            impressions_daily.creator_id = views_daily.creator_id
            and impressions_daily.activity_date = views_daily.activity_date
)

select {{ partition_write_hint() }} * from joined
{%- if is_incremental() %}
    -- Plays logged on the first re-processed day may belong to the day before,
    -- which this run does not rebuild.
    where activity_date >= {{ incremental_since('activity_date') }}
{%- endif %}
