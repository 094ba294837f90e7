-- Question: which surface uses a served slot best? Watch time per impression,
-- view-through and completion rate by surface over the whole period, as
-- ratios of sums (not averages of daily ratios).

with

fct_distribution_daily as (
    select
        surface_code,
        impression_count,
        view_count,
        completed_view_count,
        watch_ms
    from {{ ref('fct_distribution_daily') }}
),

surfaces_compared as (
    select
        surface_code,
        sum(impression_count) as impression_count,
        sum(view_count) / cast(sum(impression_count) as double) as view_through_rate,
        sum(completed_view_count) / cast(nullif(sum(view_count), 0) as double)
            as completion_rate,
        sum(watch_ms) / cast(sum(impression_count) as double) / 1000.0
            as watch_seconds_per_impression
    from fct_distribution_daily
    group by surface_code
)

select * from surfaces_compared
order by watch_seconds_per_impression desc
