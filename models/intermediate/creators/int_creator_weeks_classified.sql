{# Grain: one row per creator and ISO week from signup (or the post history's first week) on. #}

{{ config(materialized='table') }}

{#- Weeks run Monday to Sunday, up to the week of the last logged day; weeks
    without posts are included. Each row gets a growth state. A creator is active in a week when they
    published at least one post in it; with active(t) and active(t-1):
      new          active(t), and t is the creator's first active week
      retained     active(t) and active(t-1)
      resurrected  active(t), not active(t-1), active in some week before
      churned      not active(t), active(t-1)
      dormant      not active(t), not active(t-1), active in some week before
      not_yet_active  never active up to and including t
    so active(t) = new + retained + resurrected and
    active(t-1) = retained + churned.

    The post history starts with the backlog published before the event logs
    (30 days), so "first active week" means first in that history: a creator
    who last posted before it counts as new. -#}

with

stg_pgc__creators as (
    select
        creator_id,
        creator_type,
        cast({{ dbt.date_trunc('week', 'signed_up_at') }} as date) as signup_week
    from {{ ref('stg_pgc__creators') }}
),

stg_pgc__content_items as (
    select
        creator_id,
        cast({{ dbt.date_trunc('week', 'published_at') }} as date) as activity_week
    from {{ ref('stg_pgc__content_items') }}
),

int_views_aggregated_to_creator_days as (
    select activity_date
    from {{ ref('int_views_aggregated_to_creator_days') }}
),

log_weeks as (
    select
        cast({{ dbt.date_trunc('week', 'min(activity_date)') }} as date) as first_log_week,
        cast({{ dbt.date_trunc('week', 'max(activity_date)') }} as date) as last_week
    from int_views_aggregated_to_creator_days
),

post_weeks as (
    select min(activity_week) as first_post_week
    from stg_pgc__content_items
),

week_numbers as (
    select cast(generated_number as integer) - 1 as week_offset
    from ({{ dbt.generate_series(upper_bound=2000) }}) as week_series
),

weeks as (
    select
        cast({{
            dbt.dateadd(
                'day',
                '7 * week_numbers.week_offset',
                'least(post_weeks.first_post_week, log_weeks.first_log_week)',
            )
        }} as date) as activity_week,
        log_weeks.first_log_week,
        log_weeks.last_week
    from week_numbers
    cross join log_weeks
    cross join post_weeks
),

creator_weeks as (
    select
        stg_pgc__creators.creator_id,
        stg_pgc__creators.creator_type,
        stg_pgc__creators.signup_week,
        weeks.activity_week,
        weeks.activity_week >= weeks.first_log_week as is_in_log_window
    from stg_pgc__creators
    inner join weeks
        on
            stg_pgc__creators.signup_week <= weeks.activity_week
            and weeks.activity_week <= weeks.last_week
),

posts_weekly as (
    select
        creator_id,
        activity_week,
        count(*) as post_count
    from stg_pgc__content_items
    group by creator_id, activity_week
),

flagged as (
    select
        creator_weeks.creator_id,
        creator_weeks.creator_type,
        creator_weeks.signup_week,
        creator_weeks.activity_week,
        creator_weeks.is_in_log_window,
        cast(coalesce(posts_weekly.post_count, 0) as bigint) as post_count,
        posts_weekly.post_count is not null as is_active
    from creator_weeks
    left join posts_weekly
        on
            creator_weeks.creator_id = posts_weekly.creator_id
            and creator_weeks.activity_week = posts_weekly.activity_week
),

-- Rows are dense per creator (one per week), so the previous row is the previous week.
with_history as (
    select
        creator_id,
        creator_type,
        signup_week,
        activity_week,
        is_in_log_window,
        post_count,
        is_active,
        coalesce(lag(is_active) over (
            partition by creator_id order by activity_week
        ), false) as was_active_previous_week,
        min(case when is_active then activity_week end) over (
            partition by creator_id
        ) as first_active_week
    from flagged
),

classified as (
    select
        creator_id,
        creator_type,
        signup_week,
        activity_week,
        is_in_log_window,
        post_count,
        is_active,
        was_active_previous_week,
        first_active_week,
        case
            when is_active and activity_week = first_active_week then 'new'
            when is_active and was_active_previous_week then 'retained'
            when is_active then 'resurrected'
            when was_active_previous_week then 'churned'
            when first_active_week < activity_week then 'dormant'
            else 'not_yet_active'
        end as growth_state
    from with_history
)

select * from classified
