{# Grain: one row per rewards program and day, from its first launch to the last logged day. #}

with

fct_rewards_creator_daily as (
    select
        program_id,
        activity_date,
        is_eligible,
        is_eligible_unenrolled,
        is_enrolled,
        is_enrolled_today,
        is_paid,
        paid_qualified_view_count,
        payout_usd
    from {{ ref('fct_rewards_creator_daily') }}
),

daily as (
    select
        program_id,
        activity_date,
        sum(case when is_eligible then 1 else 0 end) as eligible_creators,
        sum(case when is_eligible_unenrolled then 1 else 0 end) as eligible_unenrolled_creators,
        sum(case when is_enrolled then 1 else 0 end) as enrolled_creators,
        sum(case when is_enrolled_today then 1 else 0 end) as new_enrollments,
        sum(case when is_paid then 1 else 0 end) as paid_creators,
        sum(coalesce(paid_qualified_view_count, 0)) as qualified_view_count,
        -- Payouts are amounts to 4 decimals: a decimal sum is exact, so it does
        -- not depend on the order rows are read in (a double sum does).
        sum(cast(payout_usd as decimal(18, 4))) as payout_usd
    from fct_rewards_creator_daily
    group by program_id, activity_date
),

final as (
    select
        program_id,
        activity_date,
        cast(eligible_creators as bigint) as eligible_creators,
        cast(eligible_unenrolled_creators as bigint) as eligible_unenrolled_creators,
        cast(eligible_creators - eligible_unenrolled_creators as double)
        / nullif(eligible_creators, 0) as enrolled_share_of_eligible,
        cast(enrolled_creators as bigint) as enrolled_creators,
        cast(new_enrollments as bigint) as new_enrollments,
        cast(paid_creators as bigint) as paid_creators,
        cast(qualified_view_count as bigint) as qualified_view_count,
        cast(payout_usd as double) as payout_usd,
        cast(payout_usd as double) * 1000 / nullif(qualified_view_count, 0)
            as effective_rpm_usd
    from daily
)

select * from final
