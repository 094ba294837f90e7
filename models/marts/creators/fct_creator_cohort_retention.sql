{# Grain: one row per signup-week cohort and week since signup (0 = the signup week). #}

{#- For creators who signed up on or after the first logged
    day's week, up to the week of the last logged day. A creator is retained in
    a week when they published at least one post in it. -#}

with

int_creator_weeks_classified as (
    select
        creator_id,
        signup_week,
        activity_week,
        is_active
    from {{ ref('int_creator_weeks_classified') }}
),

int_views_aggregated_to_creator_days as (
    select activity_date
    from {{ ref('int_views_aggregated_to_creator_days') }}
),

log_window as (
    select
        cast({{ dbt.date_trunc('week', 'min(activity_date)') }} as date) as first_log_week,
        max(activity_date) as last_log_date
    from int_views_aggregated_to_creator_days
),

-- Each creator has a row for every week from their signup week on, so every
-- week of a cohort counts the whole cohort.
cohort_weeks as (
    select
        int_creator_weeks_classified.signup_week as cohort_week,
        int_creator_weeks_classified.activity_week,
        count(*) as cohort_size,
        sum(case when int_creator_weeks_classified.is_active then 1 else 0 end) as active_creators
    from int_creator_weeks_classified
    cross join log_window
    where int_creator_weeks_classified.signup_week >= log_window.first_log_week
    group by int_creator_weeks_classified.signup_week, int_creator_weeks_classified.activity_week
),

final as (
    select
        cohort_weeks.cohort_week,
        cast({{
            dbt.datediff('cohort_weeks.cohort_week', 'cohort_weeks.activity_week', 'day')
        }} / 7 as integer) as weeks_since_signup,
        cohort_weeks.activity_week,
        cast(least(7, {{
            dbt.datediff('cohort_weeks.activity_week', 'log_window.last_log_date', 'day')
        }} + 1) as integer) as days_observed,
        cast(cohort_weeks.cohort_size as bigint) as cohort_size,
        cast(cohort_weeks.active_creators as bigint) as active_creators,
        cast(cohort_weeks.active_creators as double) / cohort_weeks.cohort_size as retention_rate
    from cohort_weeks
    cross join log_window
)

select * from final
