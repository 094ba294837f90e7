-- Question: what share of For You impressions goes to new creators, by day and
-- ranking model version? (A new model that starves new creators shows up as a
-- lower share on the days it serves.)

with

fct_distribution_daily as (
    select
        impression_date,
        model_version,
        impression_count,
        new_creator_impression_count
    from {{ ref('fct_distribution_daily') }}
    where surface_code = 'for_you'
),

shares as (
    select
        impression_date,
        model_version,
        impression_count,
        new_creator_impression_count,
        new_creator_impression_count / cast(nullif(impression_count, 0) as double)
            as new_creator_impression_share
    from fct_distribution_daily
)

select * from shares
order by impression_date, model_version
