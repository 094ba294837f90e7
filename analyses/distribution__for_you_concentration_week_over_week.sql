-- Question: is For You exposure more concentrated on a few creators this week
-- than last week? Gini and top-1% share are not additive, so the week's value
-- is the average of its daily values; impressions are summed.

with

fct_distribution_daily as (
    select
        impression_date,
        impression_count,
        creator_impression_gini,
        top_1pct_creator_impression_share
    from {{ ref('fct_distribution_daily') }}
    where surface_code = 'for_you'
),

-- Several model versions can serve For You on one day: weight their daily
-- concentration by impressions.
for_you_days as (
    select
        impression_date,
        sum(impression_count) as impression_count,
        sum(creator_impression_gini * impression_count) / sum(impression_count)
            as creator_impression_gini,
        sum(top_1pct_creator_impression_share * impression_count) / sum(impression_count)
            as top_1pct_creator_impression_share
    from fct_distribution_daily
    group by impression_date
),

latest as (
    select max(impression_date) as latest_date from for_you_days
),

weeks_labelled as (
    select
        for_you_days.impression_date,
        for_you_days.impression_count,
        for_you_days.creator_impression_gini,
        for_you_days.top_1pct_creator_impression_share,
        case
            when for_you_days.impression_date
                > {{ dbt.dateadd('day', -7, 'latest.latest_date') }} then 'this_week'
            when for_you_days.impression_date
                > {{ dbt.dateadd('day', -14, 'latest.latest_date') }} then 'last_week'
        end as week_label
    from for_you_days
    cross join latest
),

weeks_compared as (
    select
        week_label,
        min(impression_date) as first_date,
        max(impression_date) as last_date,
        sum(impression_count) as impression_count,
        avg(creator_impression_gini) as avg_daily_creator_impression_gini,
        avg(top_1pct_creator_impression_share) as avg_daily_top_1pct_creator_impression_share
    from weeks_labelled
    where week_label is not null
    group by week_label
)

select * from weeks_compared
order by first_date
