{# Grain: one row per creator and day, from signup (or the first logged day) to the last. #}

{#- Days without any activity are included, so that running totals and
    trailing windows can be computed row by row. Rebuilt in full on every run:
    the running follower count and the 28-day window depend on every earlier
    day. The window is the rewards program's "recent views"; the variable
    exists so unit tests can shorten it. -#}
{{ config(materialized='table') }}
{%- set recent_views_days = var('recent_views_window_days', 28) %}

with

int_views_aggregated_to_creator_days as (
    select
        creator_id,
        activity_date,
        impression_count,
        view_count,
        completed_view_count,
        watch_ms,
        qualified_view_count
    from {{ ref('int_views_aggregated_to_creator_days') }}
),

-- The event logs cover these days; baseline_follower_count is the follower
-- count at the start of the first one.
log_window as (
    select
        min(activity_date) as first_log_date,
        max(activity_date) as last_log_date
    from int_views_aggregated_to_creator_days
),

day_numbers as (
    select cast(generated_number as integer) - 1 as day_offset
    from ({{ dbt.generate_series(upper_bound=10000) }}) as day_series
),

log_days as (
    select
        cast({{
            dbt.dateadd('day', 'day_numbers.day_offset', 'log_window.first_log_date')
        }} as date) as activity_date
    from day_numbers
    cross join log_window
    where day_numbers.day_offset <= {{
        dbt.datediff('log_window.first_log_date', 'log_window.last_log_date', 'day')
    }}
),

stg_pgc__creators as (
    select
        creator_id,
        baseline_follower_count,
        cast(signed_up_at as date) as signup_date
    from {{ ref('stg_pgc__creators') }}
),

creator_days as (
    select
        stg_pgc__creators.creator_id,
        stg_pgc__creators.baseline_follower_count,
        log_days.activity_date
    from stg_pgc__creators
    inner join log_days
        on stg_pgc__creators.signup_date <= log_days.activity_date
),

posts_daily as (
    select
        creator_id,
        cast(published_at as date) as activity_date,
        count(*) as post_count
    from {{ ref('stg_pgc__content_items') }}
    group by creator_id, cast(published_at as date)
),

follows_daily as (
    select
        creator_id,
        cast(follow_event_at as date) as activity_date,
        sum(case when action = 'follow' then 1 else 0 end) as followers_gained,
        sum(case when action = 'unfollow' then 1 else 0 end) as followers_lost
    from {{ ref('stg_pgc__follow_events') }}
    group by creator_id, cast(follow_event_at as date)
),

payouts_daily as (
    select
        creator_id,
        payout_date as activity_date,
        sum(cast(payout_usd as decimal(18, 4))) as payout_usd
    from {{ ref('stg_pgc__rewards_payouts') }}
    group by creator_id, payout_date
),

joined as (
    select
        creator_days.creator_id,
        creator_days.activity_date,
        creator_days.baseline_follower_count,
        cast(coalesce(posts_daily.post_count, 0) as bigint) as post_count,
        coalesce(
            int_views_aggregated_to_creator_days.impression_count, 0
        ) as impression_count,
        coalesce(
            int_views_aggregated_to_creator_days.view_count, 0
        ) as view_count,
        coalesce(
            int_views_aggregated_to_creator_days.completed_view_count, 0
        ) as completed_view_count,
        coalesce(
            int_views_aggregated_to_creator_days.watch_ms, 0
        ) as watch_ms,
        coalesce(
            int_views_aggregated_to_creator_days.qualified_view_count, 0
        ) as qualified_view_count,
        cast(coalesce(follows_daily.followers_gained, 0) as bigint) as followers_gained,
        cast(coalesce(follows_daily.followers_lost, 0) as bigint) as followers_lost,
        cast(coalesce(payouts_daily.payout_usd, 0) as double) as payout_usd
    from creator_days
    left join posts_daily
        on
            creator_days.creator_id = posts_daily.creator_id
            and creator_days.activity_date = posts_daily.activity_date
    left join int_views_aggregated_to_creator_days
        on
            creator_days.creator_id = int_views_aggregated_to_creator_days.creator_id
            and creator_days.activity_date = int_views_aggregated_to_creator_days.activity_date
    left join follows_daily
        on
            creator_days.creator_id = follows_daily.creator_id
            and creator_days.activity_date = follows_daily.activity_date
    left join payouts_daily
        on
            creator_days.creator_id = payouts_daily.creator_id
            and creator_days.activity_date = payouts_daily.activity_date
),

-- Rows are dense per creator (one per day), so row frames are day frames.
cumulated as (
    select
        creator_id,
        activity_date,
        post_count,
        impression_count,
        view_count,
        completed_view_count,
        watch_ms,
        qualified_view_count,
        followers_gained,
        followers_lost,
        cast(baseline_follower_count + sum(followers_gained - followers_lost) over (
            partition by creator_id
            order by activity_date
            rows between unbounded preceding and current row
        ) as bigint) as follower_count,
        cast(sum(view_count) over (
            partition by creator_id
            order by activity_date
            rows between {{ recent_views_days - 1 }} preceding and current row
        ) as bigint) as view_count_28d,
        payout_usd
    from joined
)

select * from cumulated
