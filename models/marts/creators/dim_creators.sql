{# Grain: one row per valid creator account. #}

{#- Attributes, activation, and tier, follower band and rewards status as of
    the last logged day (as_of_date). -#}

with

stg_pgc__creators as (
    select
        creator_id,
        creator_type,
        region_code,
        is_verified,
        baseline_follower_count,
        signed_up_at
    from {{ ref('stg_pgc__creators') }}
),

creator_types as (
    select
        creator_type,
        creator_type_name,
        is_pgc
    from {{ ref('creator_types') }}
),

regions as (
    select
        region_code,
        market
    from {{ ref('regions') }}
),

-- The post history starts with a backlog published before the event logs:
-- the first post of a creator who signed up earlier may be missing from it.
posts as (
    select
        creator_id,
        min(published_at) as first_post_at,
        max(published_at) as last_post_at,
        count(*) as post_count
    from {{ ref('stg_pgc__content_items') }}
    group by creator_id
),

post_history as (
    select min(published_at) as post_history_started_at
    from {{ ref('stg_pgc__content_items') }}
),

fct_creator_daily as (
    select
        creator_id,
        activity_date,
        is_new_creator,
        follower_count,
        follower_band,
        view_count_28d,
        creator_tier
    from {{ ref('fct_creator_daily') }}
),

last_logged_day as (
    select max(activity_date) as as_of_date
    from fct_creator_daily
),

latest_day as (
    select
        fct_creator_daily.creator_id,
        last_logged_day.as_of_date,
        fct_creator_daily.is_new_creator,
        fct_creator_daily.follower_count,
        fct_creator_daily.follower_band,
        fct_creator_daily.view_count_28d,
        fct_creator_daily.creator_tier
    from fct_creator_daily
    inner join last_logged_day
        on fct_creator_daily.activity_date = last_logged_day.as_of_date
),

fct_rewards_creator_daily as (
    select
        creator_id,
        activity_date,
        is_eligible,
        enrolled_at
    from {{ ref('fct_rewards_creator_daily') }}
    where program_id = 'creator_rewards'
),

rewards as (
    select
        creator_id,
        min(case when is_eligible then activity_date end) as first_rewards_eligible_date,
        max(enrolled_at) as rewards_enrolled_at,
        max(activity_date) as last_rewards_date
    from fct_rewards_creator_daily
    group by creator_id
),

rewards_latest as (
    select
        rewards.creator_id,
        rewards.first_rewards_eligible_date,
        rewards.rewards_enrolled_at,
        fct_rewards_creator_daily.is_eligible as is_rewards_eligible
    from rewards
    inner join fct_rewards_creator_daily
        on
            rewards.creator_id = fct_rewards_creator_daily.creator_id
            and rewards.last_rewards_date = fct_rewards_creator_daily.activity_date
),

final as (
    select
        stg_pgc__creators.creator_id,
        stg_pgc__creators.creator_type,
        creator_types.creator_type_name,
        creator_types.is_pgc,
        stg_pgc__creators.region_code,
        regions.market,
        stg_pgc__creators.is_verified,
        stg_pgc__creators.signed_up_at,
        cast(stg_pgc__creators.signed_up_at as date) as signup_date,
        cast({{ dbt.date_trunc('week', 'stg_pgc__creators.signed_up_at') }} as date)
            as signup_week,
        stg_pgc__creators.baseline_follower_count,
        posts.first_post_at,
        cast(posts.first_post_at as date) as first_post_date,
        cast(posts.last_post_at as date) as last_post_date,
        posts.first_post_at is not null as is_activated,
        case
            when stg_pgc__creators.signed_up_at >= post_history.post_history_started_at
                then cast({{
                    dbt.datediff(
                        'cast(stg_pgc__creators.signed_up_at as date)',
                        'cast(posts.first_post_at as date)',
                        'day',
                    )
                }} as integer)
        end as days_to_first_post,
        cast(coalesce(posts.post_count, 0) as bigint) as post_count,
        latest_day.as_of_date,
        latest_day.is_new_creator,
        latest_day.follower_count,
        latest_day.follower_band,
        latest_day.view_count_28d,
        latest_day.creator_tier,
        coalesce(rewards_latest.is_rewards_eligible, false) as is_rewards_eligible,
        rewards_latest.first_rewards_eligible_date,
        coalesce(
            cast(rewards_latest.rewards_enrolled_at as date) <= latest_day.as_of_date, false
        ) as is_rewards_enrolled,
        rewards_latest.rewards_enrolled_at
    from stg_pgc__creators
    inner join creator_types
        on stg_pgc__creators.creator_type = creator_types.creator_type
    inner join regions
        on stg_pgc__creators.region_code = regions.region_code
    cross join post_history
    left join posts
        on stg_pgc__creators.creator_id = posts.creator_id
    left join latest_day
        on stg_pgc__creators.creator_id = latest_day.creator_id
    left join rewards_latest
        on stg_pgc__creators.creator_id = rewards_latest.creator_id
)

select * from final
