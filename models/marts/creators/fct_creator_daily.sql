{# Grain: one row per creator and day, from signup (or the first logged day) to the last. #}

{#- Days without activity are included. A full-refresh table: the running follower count and
    the 28-day view window depend on every earlier day, and creator-days are
    few (creators x days). -#}

with

int_creator_days_densified as (
    select
        creator_id,
        activity_date,
        post_count,
        impression_count,
        view_count,
        completed_view_count,
        watch_ms,
        followers_gained,
        followers_lost,
        follower_count,
        view_count_28d,
        payout_usd
    from {{ ref('int_creator_days_densified') }}
),

stg_pgc__creators as (
    select
        creator_id,
        creator_type,
        region_code,
        is_verified,
        cast(signed_up_at as date) as signup_date
    from {{ ref('stg_pgc__creators') }}
),

creator_types as (
    select
        creator_type,
        is_pgc
    from {{ ref('creator_types') }}
),

described as (
    select
        int_creator_days_densified.creator_id,
        int_creator_days_densified.activity_date,
        stg_pgc__creators.creator_type,
        creator_types.is_pgc,
        stg_pgc__creators.region_code,
        stg_pgc__creators.is_verified,
        stg_pgc__creators.signup_date,
        cast({{
            dbt.datediff('stg_pgc__creators.signup_date', 'int_creator_days_densified.activity_date', 'day')
        }} as integer) as days_since_signup,
        int_creator_days_densified.post_count,
        int_creator_days_densified.impression_count,
        int_creator_days_densified.view_count,
        int_creator_days_densified.completed_view_count,
        int_creator_days_densified.watch_ms,
        int_creator_days_densified.followers_gained,
        int_creator_days_densified.followers_lost,
        int_creator_days_densified.follower_count,
        int_creator_days_densified.view_count_28d,
        int_creator_days_densified.payout_usd
    from int_creator_days_densified
    inner join stg_pgc__creators
        on int_creator_days_densified.creator_id = stg_pgc__creators.creator_id
    inner join creator_types
        on stg_pgc__creators.creator_type = creator_types.creator_type
),

final as (
    select
        creator_id,
        activity_date,
        creator_type,
        is_pgc,
        region_code,
        is_verified,
        signup_date,
        days_since_signup,
        days_since_signup < {{ var('new_creator_days') }} as is_new_creator,
        post_count > 0 as is_active,
        post_count,
        impression_count,
        view_count,
        completed_view_count,
        watch_ms,
        followers_gained,
        followers_lost,
        followers_gained - followers_lost as net_follower_change,
        follower_count,
        case
            when follower_count < 100 then '0-99'
            when follower_count < 1000 then '100-999'
            when follower_count < 10000 then '1k-9.9k'
            else '10k+'
        end as follower_band,
        view_count_28d,
        case
            when view_count_28d = 0 then 'dormant'
            when view_count_28d < 300 then 'emerging'
            when view_count_28d < 3000 then 'rising'
            when view_count_28d < 30000 then 'established'
            else 'star'
        end as creator_tier,
        payout_usd
    from described
)

select * from final
