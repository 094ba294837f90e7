-- Question: what share of each signup-week cohort of creators is still
-- posting in their fourth week after signing up?

with

fct_creator_cohort_retention as (
    select
        cohort_week,
        weeks_since_signup,
        days_observed,
        cohort_size,
        active_creators,
        retention_rate
    from {{ ref('fct_creator_cohort_retention') }}
),

-- Only complete weeks: a partly observed week understates activity.
week_4 as (
    select
        cohort_week,
        cohort_size,
        active_creators,
        retention_rate
    from fct_creator_cohort_retention
    where weeks_since_signup = 4 and days_observed = 7
)

select * from week_4
order by cohort_week
