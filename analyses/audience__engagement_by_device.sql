-- Question: do viewers on some devices engage more? Per device: active
-- viewer-days, views and watch minutes per viewer-day, completion rate, and
-- likes / comments / shares / saves / follows per 1,000 views. A viewer-day
-- is labelled with the device of most of that day's views.

with

fct_viewer_daily as (
    select
        device_os,
        view_count,
        completed_view_count,
        watch_ms,
        like_count,
        comment_count,
        share_count,
        save_count,
        follow_count
    from {{ ref('fct_viewer_daily') }}
),

by_device as (
    select
        device_os,
        count(*) as viewer_day_count,
        cast(sum(view_count) as double) / count(*) as views_per_viewer_day,
        sum(watch_ms) / 60000.0 / count(*) as watch_minutes_per_viewer_day,
        cast(sum(completed_view_count) as double) / nullif(sum(view_count), 0)
            as completion_rate,
        1000.0 * sum(like_count) / nullif(sum(view_count), 0) as likes_per_1000_views,
        1000.0 * sum(comment_count) / nullif(sum(view_count), 0) as comments_per_1000_views,
        1000.0 * sum(share_count) / nullif(sum(view_count), 0) as shares_per_1000_views,
        1000.0 * sum(save_count) / nullif(sum(view_count), 0) as saves_per_1000_views,
        1000.0 * sum(follow_count) / nullif(sum(view_count), 0) as follows_per_1000_views
    from fct_viewer_daily
    group by device_os
)

select * from by_device
order by viewer_day_count desc
