{# Grain: one row per post and UTC date on which the post had any impression, view or engagement. #}

{{ config(
    materialized='incremental',
    unique_key='activity_date',
    partition_by=['activity_date'],
    incremental_strategy=incremental_strategy(),
    on_schema_change='fail',
) }}

with

int_impressions_enriched as (
    select
        content_id,
        impression_date
    from {{ ref('int_impressions_enriched') }}
    {% if is_incremental() %}
        where impression_date >= {{ incremental_since('activity_date') }}
    {% endif %}
),

int_views_enriched as (
    select
        content_id,
        view_date,
        watch_ms,
        is_completed
    from {{ ref('int_views_enriched') }}
    {% if is_incremental() %}
        where view_date >= {{ incremental_since('activity_date') }}
    {% endif %}
),

stg_pgc__engagements as (
    select
        content_id,
        engagement_type,
        cast(engaged_at as date) as engagement_date
    from {{ ref('stg_pgc__engagements') }}
    {% if is_incremental() %}
        where {{ on_or_after_day('engaged_at', incremental_since('activity_date')) }}
    {% endif %}
),

stg_pgc__content_items as (
    select
        content_id,
        creator_id
    from {{ ref('stg_pgc__content_items') }}
),

impressions_per_post_day as (
    select
        content_id,
        impression_date as activity_date,
        count(*) as impression_count
    from int_impressions_enriched
    group by content_id, impression_date
),

views_per_post_day as (
    select
        content_id,
        view_date as activity_date,
        count(*) as view_count,
        sum(case when is_completed then 1 else 0 end) as completed_view_count,
        sum(watch_ms) as watch_ms
    from int_views_enriched
    group by content_id, view_date
),

engagements_per_post_day as (
    select
        content_id,
        engagement_date as activity_date,
        sum(case when engagement_type = 'like' then 1 else 0 end) as like_count,
        sum(case when engagement_type = 'comment' then 1 else 0 end) as comment_count,
        sum(case when engagement_type = 'share' then 1 else 0 end) as share_count,
        sum(case when engagement_type = 'save' then 1 else 0 end) as save_count
    from stg_pgc__engagements
    group by content_id, engagement_date
),

-- Every post-day with at least one event of any kind: the table is sparse.
active_post_days as (
    select
        content_id,
        activity_date
    from impressions_per_post_day
    union
    select
        content_id,
        activity_date
    from views_per_post_day
    union
    select
        content_id,
        activity_date
    from engagements_per_post_day
),

post_days_measured as (
    select
        active_post_days.content_id,
        stg_pgc__content_items.creator_id,
        active_post_days.activity_date,
        cast(coalesce(impressions_per_post_day.impression_count, 0) as bigint)
            as impression_count,
        cast(coalesce(views_per_post_day.view_count, 0) as bigint) as view_count,
        cast(coalesce(views_per_post_day.completed_view_count, 0) as bigint)
            as completed_view_count,
        cast(coalesce(views_per_post_day.watch_ms, 0) as bigint) as watch_ms,
        cast(coalesce(engagements_per_post_day.like_count, 0) as bigint) as like_count,
        cast(coalesce(engagements_per_post_day.comment_count, 0) as bigint) as comment_count,
        cast(coalesce(engagements_per_post_day.share_count, 0) as bigint) as share_count,
        cast(coalesce(engagements_per_post_day.save_count, 0) as bigint) as save_count
    from active_post_days
    inner join stg_pgc__content_items
        on active_post_days.content_id = stg_pgc__content_items.content_id
    left join impressions_per_post_day
        on
            active_post_days.content_id = impressions_per_post_day.content_id
            and active_post_days.activity_date = impressions_per_post_day.activity_date
    left join views_per_post_day
        on
            active_post_days.content_id = views_per_post_day.content_id
            and active_post_days.activity_date = views_per_post_day.activity_date
    left join engagements_per_post_day
        on
            active_post_days.content_id = engagements_per_post_day.content_id
            and active_post_days.activity_date = engagements_per_post_day.activity_date
)

select {{ partition_write_hint() }} * from post_days_measured
