{# Grain: one row per creator, rewards program and day from the program's launch in the region. #}

{#- Rows start when the program launched in the creator's region (or the
    creator signed up, if later) and end on the last logged day. Eligibility mirrors the enrollment step the program runs at the end of each
    day: a creator is eligible on day d when, counting day d itself, their
    follower count at the end of d is at least the region's min_followers and
    their views over the 28 days ending on d are at least min_views_28d. An
    eligible creator may enroll that day; enrolled creators are paid for every
    day after the day they enrolled. -#}

with

int_creator_days_densified as (
    select
        creator_id,
        activity_date,
        follower_count,
        view_count_28d,
        qualified_view_count
    from {{ ref('int_creator_days_densified') }}
),

stg_pgc__creators as (
    select
        creator_id,
        creator_type,
        region_code
    from {{ ref('stg_pgc__creators') }}
),

rewards_program_rules as (
    select
        program_id,
        region_code,
        launch_date,
        min_followers,
        min_views_28d,
        rpm_usd
    from {{ ref('rewards_program_rules') }}
),

-- One enrollment per creator and program; the earliest if ever more.
enrollments as (
    select
        creator_id,
        program_id,
        min(enrolled_at) as enrolled_at
    from {{ ref('stg_pgc__rewards_enrollments') }}
    group by creator_id, program_id
),

payouts as (
    select
        creator_id,
        program_id,
        payout_date,
        count(*) as payout_count,
        sum(qualified_view_count) as qualified_view_count,
        sum(cast(payout_usd as decimal(18, 4))) as payout_usd
    from {{ ref('stg_pgc__rewards_payouts') }}
    group by creator_id, program_id, payout_date
),

creator_program_days as (
    select
        int_creator_days_densified.creator_id,
        rewards_program_rules.program_id,
        int_creator_days_densified.activity_date,
        stg_pgc__creators.region_code,
        stg_pgc__creators.creator_type,
        int_creator_days_densified.follower_count,
        int_creator_days_densified.view_count_28d,
        rewards_program_rules.min_followers,
        rewards_program_rules.min_views_28d,
        rewards_program_rules.rpm_usd,
        int_creator_days_densified.qualified_view_count
    from int_creator_days_densified
    inner join stg_pgc__creators
        on int_creator_days_densified.creator_id = stg_pgc__creators.creator_id
    inner join rewards_program_rules
        on
            stg_pgc__creators.region_code = rewards_program_rules.region_code
            and int_creator_days_densified.activity_date >= rewards_program_rules.launch_date
),

joined as (
    select
        creator_program_days.creator_id,
        creator_program_days.program_id,
        creator_program_days.activity_date,
        creator_program_days.region_code,
        creator_program_days.creator_type,
        creator_program_days.follower_count,
        creator_program_days.view_count_28d,
        creator_program_days.min_followers,
        creator_program_days.min_views_28d,
        creator_program_days.follower_count >= creator_program_days.min_followers
            as meets_follower_threshold,
        creator_program_days.view_count_28d >= creator_program_days.min_views_28d
            as meets_views_threshold,
        enrollments.enrolled_at,
        cast(enrollments.enrolled_at as date) as enrollment_date,
        creator_program_days.qualified_view_count,
        creator_program_days.rpm_usd,
        payouts.payout_count is not null as is_paid,
        payouts.qualified_view_count as paid_qualified_view_count,
        payouts.payout_usd
    from creator_program_days
    left join enrollments
        on
            creator_program_days.creator_id = enrollments.creator_id
            and creator_program_days.program_id = enrollments.program_id
    left join payouts
        on
            creator_program_days.creator_id = payouts.creator_id
            and creator_program_days.program_id = payouts.program_id
            and creator_program_days.activity_date = payouts.payout_date
),

final as (
    select
        creator_id,
        program_id,
        activity_date,
        region_code,
        creator_type,
        follower_count,
        view_count_28d,
        min_followers,
        min_views_28d,
        meets_follower_threshold,
        meets_views_threshold,
        meets_follower_threshold and meets_views_threshold as is_eligible,
        enrolled_at,
        enrollment_date,
        coalesce(enrollment_date < activity_date, false) as is_enrolled,
        coalesce(enrollment_date = activity_date, false) as is_enrolled_today,
        meets_follower_threshold
        and meets_views_threshold
        and coalesce(enrollment_date > activity_date, true) as is_eligible_unenrolled,
        qualified_view_count,
        is_paid,
        cast(paid_qualified_view_count as bigint) as paid_qualified_view_count,
        rpm_usd,
        cast(coalesce(payout_usd, 0) as double) as payout_usd
    from joined
)

select * from final
