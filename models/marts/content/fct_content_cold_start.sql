{# Grain: one row per post published since the event logs began: its first 24 h and 72 h. #}

-- Incremental by publication date: a post's windows close 72 h after it is
-- published, so a run re-processes posts published within the lookback plus
-- those 3 days, and the events that happened since.
{{
    config(
        materialized='incremental',
        unique_key='published_date',
        partition_by=['published_date'],
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
    )
}}

{%- set reprocess_from = none %}
{%- if is_incremental() %}
    {%- set reprocess_from = incremental_since('published_date', extra_days=3) %}
{%- endif %}

with

int_content_items_enriched as (
    select
        content_id,
        creator_id,
        creator_type,
        is_pgc,
        is_posted_by_new_creator,
        category_code,
        format,
        tool_code,
        published_at,
        published_date
    from {{ ref('int_content_items_enriched') }}
    {% if reprocess_from %}
        where published_date >= {{ reprocess_from }}
    {% endif %}
),

int_event_windows_measured as (
    select
        first_event_date,
        last_viewed_at
    from {{ ref('int_event_windows_measured') }}
),

int_impressions_enriched as (
    select
        content_id,
        served_at
    from {{ ref('int_impressions_enriched') }}
    {% if reprocess_from %}
        where impression_date >= {{ reprocess_from }}
    {% endif %}
),

int_views_enriched as (
    select
        content_id,
        viewed_at,
        is_completed
    from {{ ref('int_views_enriched') }}
    {% if reprocess_from %}
        where view_date >= {{ reprocess_from }}
    {% endif %}
),

stg_pgc__engagements as (
    select
        content_id,
        engaged_at
    from {{ ref('stg_pgc__engagements') }}
    where engagement_type = 'share'
    {% if reprocess_from %}
        and {{ on_or_after_day('engaged_at', reprocess_from) }}
    {% endif %}
),

-- Backlog posts (published before the logs began) have no logged first hours.
posts_in_window as (
    select
        int_content_items_enriched.*,
        {{ dbt.dateadd('hour', 24, 'int_content_items_enriched.published_at') }}
            as first_24h_end_at,
        {{ dbt.dateadd('hour', 72, 'int_content_items_enriched.published_at') }}
            as first_72h_end_at,
        {{ dbt.dateadd('hour', 72, 'int_content_items_enriched.published_at') }}
        <= int_event_windows_measured.last_viewed_at as is_72h_window_complete
    from int_content_items_enriched
    cross join int_event_windows_measured
    where int_content_items_enriched.published_date >= int_event_windows_measured.first_event_date
),

-- Windows are half-open on event timestamps: [published_at, published_at + N h).
impressions_in_first_72h as (
    select
        posts_in_window.content_id,
        sum(case
            when int_impressions_enriched.served_at < posts_in_window.first_24h_end_at
                then 1
            else 0
        end) as impression_count_24h,
        count(*) as impression_count_72h
    from posts_in_window
    inner join int_impressions_enriched
        on
            posts_in_window.content_id = int_impressions_enriched.content_id
            and posts_in_window.published_at <= int_impressions_enriched.served_at
            and posts_in_window.first_72h_end_at > int_impressions_enriched.served_at
    group by posts_in_window.content_id
),

views_in_first_72h as (
    select
        posts_in_window.content_id,
        sum(case
            when int_views_enriched.viewed_at < posts_in_window.first_24h_end_at
                then 1
            else 0
        end) as view_count_24h,
        sum(case
            when int_views_enriched.viewed_at < posts_in_window.first_24h_end_at
                and int_views_enriched.is_completed
                then 1
            else 0
        end) as completed_view_count_24h,
        count(*) as view_count_72h,
        sum(case when int_views_enriched.is_completed then 1 else 0 end)
            as completed_view_count_72h
    from posts_in_window
    inner join int_views_enriched
        on
            posts_in_window.content_id = int_views_enriched.content_id
            and posts_in_window.published_at <= int_views_enriched.viewed_at
            and posts_in_window.first_72h_end_at > int_views_enriched.viewed_at
    group by posts_in_window.content_id
),

shares_in_first_72h as (
    select
        posts_in_window.content_id,
        sum(case
            when stg_pgc__engagements.engaged_at < posts_in_window.first_24h_end_at
                then 1
            else 0
        end) as share_count_24h,
        count(*) as share_count_72h
    from posts_in_window
    inner join stg_pgc__engagements
        on
            posts_in_window.content_id = stg_pgc__engagements.content_id
            and posts_in_window.published_at <= stg_pgc__engagements.engaged_at
            and posts_in_window.first_72h_end_at > stg_pgc__engagements.engaged_at
    group by posts_in_window.content_id
),

cold_start_counted as (
    select
        posts_in_window.content_id,
        posts_in_window.creator_id,
        posts_in_window.creator_type,
        posts_in_window.is_pgc,
        posts_in_window.is_posted_by_new_creator,
        posts_in_window.category_code,
        posts_in_window.format,
        posts_in_window.tool_code,
        posts_in_window.published_at,
        posts_in_window.published_date,
        posts_in_window.is_72h_window_complete,
        cast(coalesce(impressions_in_first_72h.impression_count_24h, 0) as bigint)
            as impression_count_24h,
        cast(coalesce(views_in_first_72h.view_count_24h, 0) as bigint) as view_count_24h,
        cast(coalesce(views_in_first_72h.completed_view_count_24h, 0) as bigint)
            as completed_view_count_24h,
        cast(coalesce(shares_in_first_72h.share_count_24h, 0) as bigint) as share_count_24h,
        cast(coalesce(impressions_in_first_72h.impression_count_72h, 0) as bigint)
            as impression_count_72h,
        cast(coalesce(views_in_first_72h.view_count_72h, 0) as bigint) as view_count_72h,
        cast(coalesce(views_in_first_72h.completed_view_count_72h, 0) as bigint)
            as completed_view_count_72h,
        cast(coalesce(shares_in_first_72h.share_count_72h, 0) as bigint) as share_count_72h
    from posts_in_window
    left join impressions_in_first_72h
        on posts_in_window.content_id = impressions_in_first_72h.content_id
    left join views_in_first_72h
        on posts_in_window.content_id = views_in_first_72h.content_id
    left join shares_in_first_72h
        on posts_in_window.content_id = shares_in_first_72h.content_id
),

-- Rates are null when the post had no views in the window (no denominator).
cold_start_rated as (
    select
        *,
        cast(completed_view_count_24h as double) / nullif(view_count_24h, 0)
            as completion_rate_24h,
        cast(completed_view_count_72h as double) / nullif(view_count_72h, 0)
            as completion_rate_72h
    from cold_start_counted
)

select {{ partition_write_hint() }} * from cold_start_rated
