{# Grain: one row per valid post, with its creator's attributes and lifetime activity. #}

with

int_content_items_enriched as (
    select
        content_id,
        creator_id,
        creator_type,
        is_pgc,
        category_code,
        format,
        duration_seconds,
        tool_code,
        published_at,
        published_date,
        is_posted_by_new_creator
    from {{ ref('int_content_items_enriched') }}
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
        int_content_items_enriched.content_id,
        int_content_items_enriched.creator_id,
        int_content_items_enriched.creator_type,
        int_content_items_enriched.is_pgc,
        int_content_items_enriched.category_code,
        int_content_items_enriched.format,
        int_content_items_enriched.duration_seconds,
        int_content_items_enriched.tool_code,
        int_content_items_enriched.published_at,
        int_content_items_enriched.published_date,
        int_content_items_enriched.is_posted_by_new_creator,
        cast(coalesce(lifetime_activity.impression_count, 0) as bigint) as impression_count,
        cast(coalesce(lifetime_activity.view_count, 0) as bigint) as view_count,
        cast(coalesce(lifetime_activity.completed_view_count, 0) as bigint)
            as completed_view_count,
        cast(coalesce(lifetime_activity.watch_ms, 0) as bigint) as watch_ms,
        cast(coalesce(lifetime_activity.like_count, 0) as bigint) as like_count,
        cast(coalesce(lifetime_activity.comment_count, 0) as bigint) as comment_count,
        cast(coalesce(lifetime_activity.share_count, 0) as bigint) as share_count,
        cast(coalesce(lifetime_activity.save_count, 0) as bigint) as save_count
    from int_content_items_enriched
    left join lifetime_activity
        on int_content_items_enriched.content_id = lifetime_activity.content_id
)

select * from content_described
