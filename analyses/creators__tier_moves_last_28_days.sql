-- Question: how many creators moved up or down a tier in the last 28 days,
-- and between which tiers?

with

dim_creators_history as (
    select
        creator_id,
        version_number,
        creator_tier,
        valid_from
    from {{ ref('dim_creators_history') }}
),

tier_ranks as (
    select
        creator_id,
        version_number,
        creator_tier,
        valid_from,
        case creator_tier
            when 'dormant' then 0
            when 'emerging' then 1
            when 'rising' then 2
            when 'established' then 3
            when 'star' then 4
        end as tier_rank
    from dim_creators_history
),

-- A new version can change the follower band only; keep real tier changes.
tier_changes as (
    select
        tier_ranks.creator_id,
        previous_version.creator_tier as from_tier,
        tier_ranks.creator_tier as to_tier,
        tier_ranks.tier_rank - previous_version.tier_rank as rank_change,
        tier_ranks.valid_from
    from tier_ranks
    inner join tier_ranks as previous_version
        on
            tier_ranks.creator_id = previous_version.creator_id
            and tier_ranks.version_number = previous_version.version_number + 1
    where tier_ranks.creator_tier != previous_version.creator_tier
),

latest_change as (
    select max(valid_from) as valid_from from tier_changes
),

recent_changes as (
    select
        tier_changes.from_tier,
        tier_changes.to_tier,
        case when tier_changes.rank_change > 0 then 'up' else 'down' end as direction,
        count(distinct tier_changes.creator_id) as creator_count
    from tier_changes
    cross join latest_change
    where
        tier_changes.valid_from
        > {{ dbt.dateadd('day', -28, 'latest_change.valid_from') }}
    group by tier_changes.from_tier, tier_changes.to_tier, tier_changes.rank_change
)

select * from recent_changes
order by direction asc, creator_count desc
