-- Question: did creators post more after they started using the scheduler (or
-- the editor)? Posts per day in up to 28 observed days before the first use vs
-- up to 28 days after, for creators who adopted inside the logs. Caveat:
-- adopters self-select (motivated creators adopt, and may have been on the
-- rise anyway), and a first use can only be seen on a post, so adoption is
-- timed to an active spell: the jump mixes the tool's effect with selection.
-- (The simulator's editor does not change posting at all: compare the tools.)

with

fct_tool_adoption as (
    select
        creator_id,
        tool_code,
        first_used_at,
        first_used_date,
        is_adopted_before_window
    from {{ ref('fct_tool_adoption') }}
),

dim_content as (
    select
        creator_id,
        published_at
    from {{ ref('dim_content') }}
),

fct_tool_usage_daily as (
    select published_date
    from {{ ref('fct_tool_usage_daily') }}
),

logs_span as (
    select
        min(published_date) as first_date,
        max(published_date) as last_date
    from fct_tool_usage_daily
),

-- A creator who joined during the logs cannot post before joining: their
-- "before" starts at their first post.
first_posts as (
    select
        creator_id,
        cast(min(published_at) as date) as first_post_date
    from dim_content
    group by creator_id
),

-- Observed days on each side, capped at 28 (the window starts or ends with the logs).
adopters_windowed as (
    select
        fct_tool_adoption.creator_id,
        fct_tool_adoption.tool_code,
        fct_tool_adoption.first_used_at,
        least(28, {{ dbt.datediff(
            'greatest(logs_span.first_date, first_posts.first_post_date)',
            'fct_tool_adoption.first_used_date',
            'day'
        ) }}) as days_before,
        least(28, {{ dbt.datediff(
            'fct_tool_adoption.first_used_date', 'logs_span.last_date', 'day'
        ) }}) as days_after
    from fct_tool_adoption
    inner join first_posts
        on fct_tool_adoption.creator_id = first_posts.creator_id
    cross join logs_span
    where not fct_tool_adoption.is_adopted_before_window
),

posts_around_first_use as (
    select
        adopters_windowed.creator_id,
        adopters_windowed.tool_code,
        adopters_windowed.days_before,
        adopters_windowed.days_after,
        sum(case
            when dim_content.published_at < adopters_windowed.first_used_at
                and dim_content.published_at >= {{ dbt.dateadd(
                    'day', '-adopters_windowed.days_before', 'adopters_windowed.first_used_at'
                ) }}
                then 1
            else 0
        end) as posts_before,
        sum(case
            when dim_content.published_at > adopters_windowed.first_used_at
                and dim_content.published_at <= {{ dbt.dateadd(
                    'day', 'adopters_windowed.days_after', 'adopters_windowed.first_used_at'
                ) }}
                then 1
            else 0
        end) as posts_after
    from adopters_windowed
    inner join dim_content
        on adopters_windowed.creator_id = dim_content.creator_id
    group by
        adopters_windowed.creator_id,
        adopters_windowed.tool_code,
        adopters_windowed.days_before,
        adopters_windowed.days_after
),

-- Only creators with at least a week observed on both sides.
compared as (
    select
        tool_code,
        count(*) as adopter_count,
        sum(posts_before) as posts_before,
        sum(days_before) as creator_days_before,
        sum(posts_after) as posts_after,
        sum(days_after) as creator_days_after,
        cast(sum(posts_before) as double) / nullif(sum(days_before), 0)
            as posts_per_day_before,
        cast(sum(posts_after) as double) / nullif(sum(days_after), 0)
            as posts_per_day_after
    from posts_around_first_use
    where days_before >= 7 and days_after >= 7
    group by tool_code
)

select * from compared
order by tool_code
