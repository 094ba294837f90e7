-- Question: what does the rewards program pay per qualified view in each
-- region, and how much of the enrolled creators' audience qualifies? Payout
-- per thousand qualified views (effective RPM), qualified share of views and
-- payout per paid creator-day, by region, since launch.

with

fct_rewards_creator_daily as (
    select
        creator_id,
        activity_date,
        region_code,
        is_paid,
        paid_qualified_view_count,
        payout_usd
    from {{ ref('fct_rewards_creator_daily') }}
),

fct_creator_daily as (
    select
        creator_id,
        activity_date,
        view_count
    from {{ ref('fct_creator_daily') }}
),

paid_days as (
    select
        fct_rewards_creator_daily.region_code,
        fct_rewards_creator_daily.paid_qualified_view_count,
        fct_rewards_creator_daily.payout_usd,
        fct_creator_daily.view_count
    from fct_rewards_creator_daily
    inner join fct_creator_daily
        on
            fct_rewards_creator_daily.creator_id = fct_creator_daily.creator_id
            and fct_rewards_creator_daily.activity_date = fct_creator_daily.activity_date
    where fct_rewards_creator_daily.is_paid
),

by_region as (
    select
        region_code,
        count(*) as paid_creator_days,
        sum(view_count) as view_count,
        sum(paid_qualified_view_count) as qualified_view_count,
        sum(payout_usd) as payout_usd,
        sum(payout_usd) * 1000 / nullif(sum(paid_qualified_view_count), 0) as effective_rpm_usd,
        cast(sum(paid_qualified_view_count) as double) / nullif(sum(view_count), 0)
            as qualified_share_of_views,
        sum(payout_usd) / count(*) as payout_usd_per_paid_creator_day
    from paid_days
    group by region_code
)

select * from by_region
order by effective_rpm_usd desc
