-- Every value of metric_daily lies within the bounds its catalogue entry
-- implies: a ratio or conversion formatted as a percentage is a proportion in
-- [0, 1]; a metric named `*_change` is signed (no bounds); every other metric
-- counts or measures something (>= 0). Returns the rows outside their bounds.
with

metric_catalogue as (
    select
        metric_name,
        metric_type,
        value_format
    from {{ ref('metric_catalogue') }}
),

metric_daily as (
    select
        metric_date,
        metric_name,
        dimension_name,
        dimension_value,
        value
    from {{ ref('metric_daily') }}
    where value is not null
),

catalogue_bounds as (
    select
        metric_name,
        case
            when {{ dbt.right('metric_name', 7) }} = '_change' then 'signed'
            when
                metric_type in ('ratio', 'conversion')
                and {{ dbt.right("trim(coalesce(value_format, ''))", 1) }} = '%'
                then 'proportion'
            else 'non_negative'
        end as bound_kind
    from metric_catalogue
),

values_with_bounds as (
    select
        metric_daily.metric_date,
        metric_daily.metric_name,
        metric_daily.dimension_name,
        metric_daily.dimension_value,
        metric_daily.value,
        catalogue_bounds.bound_kind
    from metric_daily
    inner join catalogue_bounds
        on metric_daily.metric_name = catalogue_bounds.metric_name
)

select * from values_with_bounds
where
    (bound_kind = 'proportion' and (value < 0 or value > 1))
    or (bound_kind = 'non_negative' and value < 0)
