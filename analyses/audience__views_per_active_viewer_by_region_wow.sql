-- Question: views and watch minutes per active viewer by region, this week vs
-- last week. "This week" is the 7 days ending on the last full day of logs
-- (the last day with impressions; views that start after midnight of the last
-- day make a stub day we leave out). Per active viewer = per viewer-day.

with

fct_audience_daily as (
    select
        activity_date,
        viewer_region_code,
        active_viewer_count,
        impression_count,
        view_count,
        watch_ms
    from {{ ref('fct_audience_daily') }}
),

last_full_day as (
    select max(activity_date) as last_date
    from fct_audience_daily
    where impression_count > 0
),

days_labelled as (
    select
        fct_audience_daily.*,
        case
            when fct_audience_daily.activity_date
                > {{ dbt.dateadd('day', -7, 'last_full_day.last_date') }}
                then 'this_week'
            else 'last_week'
        end as week_label
    from fct_audience_daily
    cross join last_full_day
    where
        fct_audience_daily.activity_date <= last_full_day.last_date
        and fct_audience_daily.activity_date
        > {{ dbt.dateadd('day', -14, 'last_full_day.last_date') }}
),

by_region_week as (
    select
        viewer_region_code,
        sum(case when week_label = 'this_week' then active_viewer_count else 0 end)
            as viewer_days_this_week,
        sum(case when week_label = 'last_week' then active_viewer_count else 0 end)
            as viewer_days_last_week,
        cast(sum(case when week_label = 'this_week' then view_count else 0 end) as double)
        / nullif(sum(case when week_label = 'this_week' then active_viewer_count else 0 end), 0)
            as views_per_active_viewer_this_week,
        cast(sum(case when week_label = 'last_week' then view_count else 0 end) as double)
        / nullif(sum(case when week_label = 'last_week' then active_viewer_count else 0 end), 0)
            as views_per_active_viewer_last_week,
        sum(case when week_label = 'this_week' then watch_ms else 0 end) / 60000.0
        / nullif(sum(case when week_label = 'this_week' then active_viewer_count else 0 end), 0)
            as watch_minutes_per_active_viewer_this_week,
        sum(case when week_label = 'last_week' then watch_ms else 0 end) / 60000.0
        / nullif(sum(case when week_label = 'last_week' then active_viewer_count else 0 end), 0)
            as watch_minutes_per_active_viewer_last_week
    from days_labelled
    group by viewer_region_code
),

compared as (
    select
        *,
        views_per_active_viewer_this_week / nullif(views_per_active_viewer_last_week, 0) - 1
            as views_per_active_viewer_change
    from by_region_week
)

select * from compared
order by viewer_days_this_week desc
