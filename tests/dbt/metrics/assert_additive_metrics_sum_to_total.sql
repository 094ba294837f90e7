-- An additive metric's slices add up to its total, every day and dimension:
-- metric_daily's generated groupings agree with each other. Returns the
-- (metric, day, dimension) whose slices do not sum to the total row.
with

metric_catalogue as (
    select metric_name from {{ ref('metric_catalogue') }}
    where is_additive
),

metric_daily as (
    select
        metric_date,
        metric_name,
        dimension_name,
        value
    from {{ ref('metric_daily') }}
),

additive_daily as (
    select
        metric_daily.metric_date,
        metric_daily.metric_name,
        metric_daily.dimension_name,
        metric_daily.value
    from metric_daily
    inner join metric_catalogue
        on metric_daily.metric_name = metric_catalogue.metric_name
),

totals as (
    select
        metric_date,
        metric_name,
        value as total_value
    from additive_daily
    where dimension_name = 'total'
),

slice_sums as (
    select
        metric_date,
        metric_name,
        dimension_name,
        sum(value) as slice_value
    from additive_daily
    where dimension_name != 'total'
    group by metric_date, metric_name, dimension_name
),

compared as (
    select
        slice_sums.metric_date,
        slice_sums.metric_name,
        slice_sums.dimension_name,
        slice_sums.slice_value,
        totals.total_value
    from slice_sums
    left join totals
        on
            slice_sums.metric_date = totals.metric_date
            and slice_sums.metric_name = totals.metric_name
)

select * from compared
where
    total_value is null
    or abs(slice_value - total_value) > 1e-9 * greatest(abs(total_value), 1)
