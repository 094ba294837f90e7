-- An additive metric's slices add up to its total, every day and every
-- dimension the metric is sliced by: metric_daily's generated groupings agree
-- with each other. A day with a total but no slice rows of such a dimension
-- counts as slices summing to 0, and slices on a day without a total row fail
-- too. Returns the (metric, day, dimension) whose slices do not sum to the total.
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
        coalesce(value, 0) as total_value
    from additive_daily
    where dimension_name = 'total'
),

-- The dimensions a metric is sliced by: those it has slice rows of on any day.
metric_dimensions as (
    select distinct
        metric_name,
        dimension_name
    from additive_daily
    where dimension_name != 'total'
),

-- Every day with a total, times every dimension of the metric.
expected_slices as (
    select
        totals.metric_date,
        totals.metric_name,
        metric_dimensions.dimension_name,
        totals.total_value
    from totals
    inner join metric_dimensions
        on totals.metric_name = metric_dimensions.metric_name
),

slice_sums as (
    select
        metric_date,
        metric_name,
        dimension_name,
        sum(coalesce(value, 0)) as slice_value
    from additive_daily
    where dimension_name != 'total'
    group by metric_date, metric_name, dimension_name
),

compared as (
    select
        coalesce(expected_slices.metric_date, slice_sums.metric_date) as metric_date,
        coalesce(expected_slices.metric_name, slice_sums.metric_name) as metric_name,
        coalesce(expected_slices.dimension_name, slice_sums.dimension_name)
            as dimension_name,
        coalesce(slice_sums.slice_value, 0) as slice_value,
        expected_slices.total_value,
        expected_slices.metric_date is not null as has_total
    from expected_slices
    full outer join slice_sums
        on
            expected_slices.metric_date = slice_sums.metric_date
            and expected_slices.metric_name = slice_sums.metric_name
            and expected_slices.dimension_name = slice_sums.dimension_name
)

select * from compared
where
    not has_total
    or abs(slice_value - total_value) > 1e-9 * greatest(abs(total_value), 1)
