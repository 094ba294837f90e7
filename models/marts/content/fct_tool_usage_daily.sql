{# Grain: one row per UTC publish date (since the logs began) and content tool, `none` included. #}

with

int_content_items_enriched as (
    select
        creator_id,
        tool_code,
        published_date
    from {{ ref('int_content_items_enriched') }}
),

content_tools as (
    select tool_code
    from {{ ref('content_tools') }}
),

int_event_windows_measured as (
    select first_event_date
    from {{ ref('int_event_windows_measured') }}
),

posts_in_window as (
    select int_content_items_enriched.*
    from int_content_items_enriched
    cross join int_event_windows_measured
    where int_content_items_enriched.published_date >= int_event_windows_measured.first_event_date
),

posts_per_day as (
    select
        published_date,
        count(*) as all_post_count,
        count(distinct creator_id) as posting_creator_count
    from posts_in_window
    group by published_date
),

posts_per_day_and_tool as (
    select
        published_date,
        tool_code,
        count(*) as post_count,
        count(distinct creator_id) as creator_count
    from posts_in_window
    group by published_date, tool_code
),

-- Dense: every day with a post gets every tool, with zeros, so shares add to 1.
tool_days as (
    select
        posts_per_day.published_date,
        content_tools.tool_code,
        cast(coalesce(posts_per_day_and_tool.post_count, 0) as bigint) as post_count,
        cast(coalesce(posts_per_day_and_tool.creator_count, 0) as bigint) as creator_count,
        cast(posts_per_day.all_post_count as bigint) as all_post_count,
        cast(posts_per_day.posting_creator_count as bigint) as posting_creator_count
    from posts_per_day
    cross join content_tools
    left join posts_per_day_and_tool
        on
            posts_per_day.published_date = posts_per_day_and_tool.published_date
            and content_tools.tool_code = posts_per_day_and_tool.tool_code
),

tool_days_rated as (
    select
        *,
        cast(post_count as double) / nullif(all_post_count, 0) as share_of_posts,
        cast(post_count as double) / nullif(creator_count, 0) as posts_per_using_creator
    from tool_days
)

select * from tool_days_rated
