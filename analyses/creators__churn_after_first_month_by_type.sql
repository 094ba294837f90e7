-- Question: which creator types churn most after their first month? Of the
-- creators who signed up during the event logs and posted in their first 28
-- days, what share posted nothing in the 14 days after that, by creator type?
-- Only creators observed for the whole 42 days count, so the answer needs at
-- least 6 weeks of logs (empty on the 4-week tiny data).

{%- set first_month_days = 28 %}
{%- set follow_up_days = 14 %}

with

fct_creator_daily as (
    select
        creator_id,
        creator_type,
        activity_date,
        signup_date,
        days_since_signup,
        is_active
    from {{ ref('fct_creator_daily') }}
),

first_logged_day as (
    select min(activity_date) as first_log_date
    from fct_creator_daily
),

creator_months as (
    select
        fct_creator_daily.creator_id,
        fct_creator_daily.creator_type,
        max(fct_creator_daily.days_since_signup) as days_observed,
        max(
            case
                when
                    fct_creator_daily.days_since_signup < {{ first_month_days }}
                    and fct_creator_daily.is_active
                    then 1
                else 0
            end
        ) as was_active_first_month,
        max(
            case
                when
                    fct_creator_daily.days_since_signup >= {{ first_month_days }}
                    and fct_creator_daily.days_since_signup
                    < {{ first_month_days + follow_up_days }}
                    and fct_creator_daily.is_active
                    then 1
                else 0
            end
        ) as was_active_after_first_month
    from fct_creator_daily
    cross join first_logged_day
    where fct_creator_daily.signup_date >= first_logged_day.first_log_date
    group by fct_creator_daily.creator_id, fct_creator_daily.creator_type
),

churn_by_type as (
    select
        creator_type,
        count(*) as creators_active_in_first_month,
        sum(1 - was_active_after_first_month) as churned_creators,
        cast(sum(1 - was_active_after_first_month) as double) / count(*) as churn_rate
    from creator_months
    where
        was_active_first_month = 1
        and days_observed >= {{ first_month_days + follow_up_days - 1 }}
    group by creator_type
)

select * from churn_by_type
order by churn_rate desc
