-- Question: is the active PGC creator base growing? Each week, creators gained
-- (new + resurrected) against creators lost (churned): the quick ratio.

with

fct_creator_growth_weekly as (
    select
        week_start_date,
        creator_type,
        days_observed,
        active_creators,
        new_creators,
        resurrected_creators,
        churned_creators
    from {{ ref('fct_creator_growth_weekly') }}
    where creator_type != 'casual'
),

pgc_weeks as (
    select
        week_start_date,
        sum(active_creators) as active_creators,
        sum(new_creators) as new_creators,
        sum(resurrected_creators) as resurrected_creators,
        sum(churned_creators) as churned_creators,
        (sum(new_creators) + sum(resurrected_creators))
        / cast(nullif(sum(churned_creators), 0) as double) as quick_ratio
    from fct_creator_growth_weekly
    where days_observed = 7
    group by week_start_date
)

select * from pgc_weeks
order by week_start_date
