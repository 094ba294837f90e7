-- Question: since launch, how much does the rewards program pay each day, at
-- what effective RPM, and what share of eligible creators has enrolled?

with

fct_rewards_daily as (
    select
        program_id,
        activity_date,
        eligible_creators,
        enrolled_creators,
        enrolled_share_of_eligible,
        qualified_view_count,
        payout_usd,
        effective_rpm_usd
    from {{ ref('fct_rewards_daily') }}
),

with_running_cost as (
    select
        program_id,
        activity_date,
        eligible_creators,
        enrolled_creators,
        enrolled_share_of_eligible,
        qualified_view_count,
        payout_usd,
        effective_rpm_usd,
        sum(payout_usd) over (
            partition by program_id order by activity_date
        ) as cumulative_payout_usd
    from fct_rewards_daily
)

select * from with_running_cost
order by program_id, activity_date
