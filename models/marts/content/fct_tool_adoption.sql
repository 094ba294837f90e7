{# Grain: one row per creator and content tool (scheduler, editor) the creator has posted with. #}

with

int_content_items_enriched as (
    select
        content_id,
        creator_id,
        creator_type,
        is_pgc,
        tool_code,
        published_at
    from {{ ref('int_content_items_enriched') }}
),

stg_pgc__creators as (
    select
        creator_id,
        signed_up_at
    from {{ ref('stg_pgc__creators') }}
),

int_event_windows_measured as (
    select
        first_event_date,
        last_viewed_at
    from {{ ref('int_event_windows_measured') }}
),

-- The first post made with a tool is the first observed use: the true
-- adoption day is on or before it (adopters use the tool on most, not all,
-- posts). Ties on published_at cannot change the minimum.
first_uses as (
    select
        creator_id,
        creator_type,
        is_pgc,
        tool_code,
        min(published_at) as first_used_at,
        count(*) as post_count_with_tool
    from int_content_items_enriched
    where tool_code != 'none'
    group by creator_id, creator_type, is_pgc, tool_code
),

-- Posts of any tool in the 28 days before and after the first use; the
-- first-use post itself is in neither window, as it defines the split.
posts_around_first_use as (
    select
        first_uses.creator_id,
        first_uses.tool_code,
        sum(case
            when int_content_items_enriched.published_at < first_uses.first_used_at
                and int_content_items_enriched.published_at
                >= {{ dbt.dateadd('day', -28, 'first_uses.first_used_at') }}
                then 1
            else 0
        end) as post_count_28d_before,
        sum(case
            when int_content_items_enriched.published_at > first_uses.first_used_at
                and int_content_items_enriched.published_at
                <= {{ dbt.dateadd('day', 28, 'first_uses.first_used_at') }}
                then 1
            else 0
        end) as post_count_28d_after,
        sum(case
            when int_content_items_enriched.published_at < first_uses.first_used_at
                and int_content_items_enriched.published_at
                >= cast(int_event_windows_measured.first_event_date as timestamp)
                then 1
            else 0
        end) as post_count_in_window_before_first_use
    from first_uses
    inner join int_content_items_enriched
        on first_uses.creator_id = int_content_items_enriched.creator_id
    cross join int_event_windows_measured
    group by first_uses.creator_id, first_uses.tool_code
),

-- Left censoring: a creator who adopted before the logs began shows a "first
-- use" on an early post in the window, like a genuine early adopter. Adopters
-- use the tool on ~70 % of posts, so an adopter rarely makes two posts
-- without it. Rule: adopted before the window when the creator signed up
-- before the logs began and either used the tool before they began (backlog
-- posts) or made at most var('tool_adoption_max_prior_posts') (1) posts in the
-- window before the first use. Before/after reads should leave these out.
adoption_classified as (
    select
        first_uses.creator_id,
        first_uses.tool_code,
        first_uses.creator_type,
        first_uses.is_pgc,
        first_uses.first_used_at,
        cast(first_uses.first_used_at as date) as first_used_date,
        case
            when stg_pgc__creators.signed_up_at
                >= cast(int_event_windows_measured.first_event_date as timestamp)
                then false
            when cast(first_uses.first_used_at as date)
                < int_event_windows_measured.first_event_date
                then true
            else posts_around_first_use.post_count_in_window_before_first_use
                <= {{ var('tool_adoption_max_prior_posts', 1) }}
        end as is_adopted_before_window,
        cast(posts_around_first_use.post_count_in_window_before_first_use as bigint)
            as post_count_in_window_before_first_use,
        cast(first_uses.post_count_with_tool as bigint) as post_count_with_tool,
        cast(posts_around_first_use.post_count_28d_before as bigint) as post_count_28d_before,
        cast(posts_around_first_use.post_count_28d_after as bigint) as post_count_28d_after,
        {{ dbt.dateadd('day', -28, 'first_uses.first_used_at') }}
        >= cast(int_event_windows_measured.first_event_date as timestamp)
            as is_28d_before_observed,
        {{ dbt.dateadd('day', 28, 'first_uses.first_used_at') }}
        <= int_event_windows_measured.last_viewed_at as is_28d_after_observed
    from first_uses
    inner join posts_around_first_use
        on
            first_uses.creator_id = posts_around_first_use.creator_id
            and first_uses.tool_code = posts_around_first_use.tool_code
    inner join stg_pgc__creators
        on first_uses.creator_id = stg_pgc__creators.creator_id
    cross join int_event_windows_measured
)

select * from adoption_classified
