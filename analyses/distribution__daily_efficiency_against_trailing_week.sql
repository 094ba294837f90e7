-- Question: on which days did delivery efficiency (watch time per impression)
-- or catalogue coverage fall well below the trailing 7-day average?

with

fct_distribution_daily_total as (
    select
        impression_date,
        watch_ms_per_impression,
        catalogue_coverage,
        new_creator_impression_share
    from {{ ref('fct_distribution_daily_total') }}
),

against_trailing_week as (
    select
        impression_date,
        watch_ms_per_impression,
        avg(watch_ms_per_impression) over (
            order by impression_date rows between 7 preceding and 1 preceding
        ) as trailing_watch_ms_per_impression,
        catalogue_coverage,
        avg(catalogue_coverage) over (
            order by impression_date rows between 7 preceding and 1 preceding
        ) as trailing_catalogue_coverage,
        new_creator_impression_share
    from fct_distribution_daily_total
),

relative_changes as (
    select
        impression_date,
        watch_ms_per_impression / trailing_watch_ms_per_impression - 1
            as watch_per_impression_change,
        catalogue_coverage / trailing_catalogue_coverage - 1 as coverage_change,
        new_creator_impression_share
    from against_trailing_week
    where trailing_watch_ms_per_impression is not null
)

select * from relative_changes
order by watch_per_impression_change
