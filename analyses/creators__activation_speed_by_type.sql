-- Question: how fast do new creators activate? Of the creators who signed up
-- during the event logs, what share published their first post within 1, 7
-- and 14 days of signing up, and how many never posted, by creator type?

with

dim_creators as (
    select
        creator_id,
        creator_type,
        signup_date,
        as_of_date,
        is_activated,
        days_to_first_post
    from {{ ref('dim_creators') }}
),

fct_creator_daily as (
    select activity_date
    from {{ ref('fct_creator_daily') }}
),

first_logged_day as (
    select min(activity_date) as first_log_date
    from fct_creator_daily
),

new_creators as (
    select
        dim_creators.creator_type,
        dim_creators.is_activated,
        dim_creators.days_to_first_post
    from dim_creators
    cross join first_logged_day
    where dim_creators.signup_date >= first_logged_day.first_log_date
),

activation_by_type as (
    select
        creator_type,
        count(*) as signed_up_creators,
        avg(case when days_to_first_post <= 1 then 1.0 else 0.0 end) as share_posted_within_1_day,
        avg(case when days_to_first_post <= 7 then 1.0 else 0.0 end) as share_posted_within_7_days,
        avg(case when days_to_first_post <= 14 then 1.0 else 0.0 end)
            as share_posted_within_14_days,
        sum(case when is_activated then 0 else 1 end) as never_posted_creators,
        median(days_to_first_post) as median_days_to_first_post
    from new_creators
    group by creator_type
)

select * from activation_by_type
order by share_posted_within_7_days desc
