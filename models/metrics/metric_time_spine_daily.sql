{# Grain: one row per calendar day in var('metric_time_spine_start') .. _end. #}
-- MetricFlow joins cumulative, offset and conversion metrics to this spine.
with days as (
    {{ dbt.date_spine(
        datepart='day',
        start_date="cast('" ~ var('metric_time_spine_start') ~ "' as date)",
        end_date="cast('" ~ var('metric_time_spine_end') ~ "' as date)",
    ) }}
),

days_cast as (
    select cast(date_day as date) as date_day
    from days
)

select * from days_cast
