-- Question: which categories give new posts the best first 72 hours, and do
-- posts by new creators get the same first chance? Views-weighted 72-hour
-- completion rate and views per post, over posts whose 72-hour window is over.

with

fct_content_cold_start as (
    select
        category_code,
        is_posted_by_new_creator,
        impression_count_72h,
        view_count_72h,
        completed_view_count_72h,
        is_72h_window_complete
    from {{ ref('fct_content_cold_start') }}
),

by_category as (
    select
        category_code,
        is_posted_by_new_creator,
        count(*) as post_count,
        sum(impression_count_72h) as impression_count_72h,
        sum(view_count_72h) as view_count_72h,
        cast(sum(view_count_72h) as double) / count(*) as views_per_post_72h,
        cast(sum(view_count_72h) as double) / nullif(sum(impression_count_72h), 0)
            as view_through_rate_72h,
        cast(sum(completed_view_count_72h) as double) / nullif(sum(view_count_72h), 0)
            as completion_rate_72h
    from fct_content_cold_start
    where is_72h_window_complete
    group by category_code, is_posted_by_new_creator
)

select * from by_category
order by completion_rate_72h desc, category_code asc, is_posted_by_new_creator asc
