-- Question: which posts drew the most watch time in the last 7 days, and do
-- they hold viewers to the end?

with

fct_content_daily as (
    select
        content_id,
        activity_date,
        view_count,
        completed_view_count,
        watch_ms,
        share_count
    from {{ ref('fct_content_daily') }}
),

dim_content as (
    select
        content_id,
        creator_type,
        category_code,
        format
    from {{ ref('dim_content') }}
),

latest_day as (
    select max(activity_date) as activity_date from fct_content_daily
),

last_7_days as (
    select
        fct_content_daily.content_id,
        sum(fct_content_daily.view_count) as view_count,
        sum(fct_content_daily.completed_view_count) as completed_view_count,
        sum(fct_content_daily.watch_ms) / 3600000.0 as watch_hours,
        sum(fct_content_daily.share_count) as share_count
    from fct_content_daily
    cross join latest_day
    where
        fct_content_daily.activity_date
        > {{ dbt.dateadd('day', -7, 'latest_day.activity_date') }}
    group by fct_content_daily.content_id
),

posts_ranked as (
    select
        last_7_days.content_id,
        dim_content.creator_type,
        dim_content.category_code,
        dim_content.format,
        last_7_days.view_count,
        last_7_days.watch_hours,
        last_7_days.completed_view_count
        / cast(nullif(last_7_days.view_count, 0) as double) as completion_rate,
        last_7_days.share_count
    from last_7_days
    inner join dim_content
        on last_7_days.content_id = dim_content.content_id
)

select * from posts_ranked
order by watch_hours desc
limit 20
