{# Grain: one row per valid post, with its creator's attributes and lifetime activity. #}

with

stg_pgc__content_items as (
    select
        content_id,
        creator_id,
        category_code,
        format,
        duration_seconds,
        tool_code,
        published_at
    from {{ ref('stg_pgc__content_items') }}
),

stg_pgc__creators as (
    select
        creator_id,
        creator_type,
        signed_up_at
    from {{ ref('stg_pgc__creators') }}
),

creator_types as (
    select
        creator_type,
        is_pgc
    from {{ ref('creator_types') }}
),

fct_content_daily as (
    select
        content_id,
        impression_count,
        view_count,
        completed_view_count,
        watch_ms,
        like_count,
        comment_count,
        share_count,
        save_count
    from {{ ref('fct_content_daily') }}
),

-- Lifetime = everything logged; re-summed from the daily fact on every build
-- (a table), so it is right after an incremental run of the fact.
lifetime_activity as (
    select
        content_id,
        sum(impression_count) as impression_count,
        sum(view_count) as view_count,
        sum(completed_view_count) as completed_view_count,
        sum(watch_ms) as watch_ms,
        sum(like_count) as like_count,
        sum(comment_count) as comment_count,
        sum(share_count) as share_count,
        sum(save_count) as save_count
    from fct_content_daily
    group by content_id
),

content_described as (
    select
        stg_pgc__content_items.content_id,
        stg_pgc__content_items.creator_id,
        stg_pgc__creators.creator_type,
        creator_types.is_pgc,
        stg_pgc__content_items.category_code,
        stg_pgc__content_items.format,
        stg_pgc__content_items.duration_seconds,
        stg_pgc__content_items.tool_code,
        stg_pgc__content_items.published_at,
        cast(stg_pgc__content_items.published_at as date) as published_date,
        stg_pgc__content_items.published_at < {{
            dbt.dateadd('day', var('new_creator_days'), 'stg_pgc__creators.signed_up_at')
        }} as is_posted_by_new_creator,
        cast(coalesce(lifetime_activity.impression_count, 0) as bigint) as impression_count,
        cast(coalesce(lifetime_activity.view_count, 0) as bigint) as view_count,
        cast(coalesce(lifetime_activity.completed_view_count, 0) as bigint)
            as completed_view_count,
        cast(coalesce(lifetime_activity.watch_ms, 0) as bigint) as watch_ms,
        cast(coalesce(lifetime_activity.like_count, 0) as bigint) as like_count,
        cast(coalesce(lifetime_activity.comment_count, 0) as bigint) as comment_count,
        cast(coalesce(lifetime_activity.share_count, 0) as bigint) as share_count,
        cast(coalesce(lifetime_activity.save_count, 0) as bigint) as save_count
    from stg_pgc__content_items
    inner join stg_pgc__creators
        on stg_pgc__content_items.creator_id = stg_pgc__creators.creator_id
    inner join creator_types
        on stg_pgc__creators.creator_type = creator_types.creator_type
    left join lifetime_activity
        on stg_pgc__content_items.content_id = lifetime_activity.content_id
)

select * from content_described
