-- Every row of a ratio or conversion metric in metric_daily has value =
-- numerator / denominator (relative tolerance 1e-9), and the value is null
-- exactly when it cannot be computed: a missing numerator (a conversion window
-- not fully observed yet) or a missing or zero denominator. Returns the rows
-- that break it.
with

metric_catalogue as (
    select metric_name from {{ ref('metric_catalogue') }}
    where metric_type in ('ratio', 'conversion')
),

metric_daily as (
    select
        metric_date,
        metric_name,
        dimension_name,
        dimension_value,
        value,
        numerator,
        denominator
    from {{ ref('metric_daily') }}
),

ratio_daily as (
    select
        metric_daily.metric_date,
        metric_daily.metric_name,
        metric_daily.dimension_name,
        metric_daily.dimension_value,
        metric_daily.value,
        metric_daily.numerator,
        metric_daily.denominator
    from metric_daily
    inner join metric_catalogue
        on metric_daily.metric_name = metric_catalogue.metric_name
)

select * from ratio_daily
where
    case
        when numerator is null or coalesce(denominator, 0) = 0
            then value is not null
        else
            value is null
            or abs(value - numerator / denominator) > 1e-9 * greatest(1, abs(value))
    end
