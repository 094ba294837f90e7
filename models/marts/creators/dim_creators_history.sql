{# Grain: one row per creator and version of their tier and follower band. #}

{#- A version is a run of consecutive days over
    which the creator's tier and follower band stayed the same (type 2 slowly
    changing dimension). Derived from fct_creator_daily rather than a dbt
    snapshot, so the history is the same whenever and however often it is
    built. valid_to is exclusive: the day the next version starts, null for the
    current version. -#}

with

fct_creator_daily as (
    select
        creator_id,
        activity_date,
        creator_tier,
        follower_band
    from {{ ref('fct_creator_daily') }}
),

-- A new version starts on a creator's first day and on every day the tier or
-- the band differs from the day before; rows are dense per creator.
change_flagged as (
    select
        creator_id,
        activity_date,
        creator_tier,
        follower_band,
        case
            when
                lag(creator_tier) over (partition by creator_id order by activity_date)
                = creator_tier
                and lag(follower_band) over (partition by creator_id order by activity_date)
                = follower_band
                then 0
            else 1
        end as is_version_start
    from fct_creator_daily
),

numbered as (
    select
        creator_id,
        activity_date,
        creator_tier,
        follower_band,
        sum(is_version_start) over (
            partition by creator_id
            order by activity_date
            rows between unbounded preceding and current row
        ) as version_number
    from change_flagged
),

versions as (
    select
        creator_id,
        version_number,
        min(creator_tier) as creator_tier,
        min(follower_band) as follower_band,
        min(activity_date) as valid_from,
        -- Rows are dense, so the version's rows are its days.
        count(*) as days_in_version
    from numbered
    group by creator_id, version_number
),

final as (
    select
        creator_id,
        cast(version_number as integer) as version_number,
        creator_tier,
        follower_band,
        valid_from,
        lead(valid_from) over (
            partition by creator_id order by version_number
        ) as valid_to,
        lead(valid_from) over (
            partition by creator_id order by version_number
        ) is null as is_current,
        cast(days_in_version as integer) as days_in_version
    from versions
)

select * from final
