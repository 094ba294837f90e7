-- Question: how many eligible creators enroll in the rewards program within
-- 14 days of first becoming eligible, by creator type? Creators who first
-- became eligible fewer than 14 days before the last logged day are left out
-- (their 14 days are not over).

{%- set window_days = 14 %}

with

fct_rewards_creator_daily as (
    select
        creator_id,
        program_id,
        creator_type,
        activity_date,
        is_eligible,
        enrollment_date
    from {{ ref('fct_rewards_creator_daily') }}
),

last_logged_day as (
    select max(activity_date) as last_log_date
    from fct_rewards_creator_daily
),

first_eligibility as (
    select
        creator_id,
        program_id,
        creator_type,
        min(case when is_eligible then activity_date end) as first_eligible_date,
        min(enrollment_date) as enrollment_date
    from fct_rewards_creator_daily
    group by creator_id, program_id, creator_type
),

observed as (
    select
        first_eligibility.program_id,
        first_eligibility.creator_type,
        first_eligibility.first_eligible_date,
        first_eligibility.enrollment_date,
        {{ dbt.datediff(
            'first_eligibility.first_eligible_date',
            'first_eligibility.enrollment_date',
            'day',
        ) }} as days_to_enroll
    from first_eligibility
    cross join last_logged_day
    where
        first_eligibility.first_eligible_date
        <= {{ dbt.dateadd('day', -window_days, 'last_logged_day.last_log_date') }}
),

enrollment_by_type as (
    select
        program_id,
        creator_type,
        count(*) as newly_eligible_creators,
        sum(case when days_to_enroll <= {{ window_days }} then 1 else 0 end)
            as enrolled_within_window,
        avg(case when days_to_enroll <= {{ window_days }} then 1.0 else 0.0 end)
            as share_enrolled_within_window,
        median(days_to_enroll) as median_days_to_enroll_if_enrolled
    from observed
    group by program_id, creator_type
)

select * from enrollment_by_type
order by program_id asc, share_enrolled_within_window desc
