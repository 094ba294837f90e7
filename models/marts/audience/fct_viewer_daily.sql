{# Grain: one row per viewer and UTC date on which the viewer had at least one view. #}

{{ config(
    materialized='incremental',
    unique_key='activity_date',
    partition_by=['activity_date'],
    incremental_strategy=incremental_strategy(),
    on_schema_change='fail',
) }}

with

int_views_enriched as (
    select
        viewer_id,
        viewer_region_code,
        view_date,
        device_os,
        app_version,
        watch_ms,
        is_completed
    from {{ ref('int_views_enriched') }}
    {% if is_incremental() %}
        where view_date >= {{ incremental_since('activity_date') }}
    {% endif %}
),

int_impressions_enriched as (
    select
        viewer_id,
        impression_date
    from {{ ref('int_impressions_enriched') }}
    {% if is_incremental() %}
        where impression_date >= {{ incremental_since('activity_date') }}
    {% endif %}
),

stg_pgc__engagements as (
    select
        viewer_id,
        engagement_type,
        cast(engaged_at as date) as engagement_date
    from {{ ref('stg_pgc__engagements') }}
    {% if is_incremental() %}
        where {{ on_or_after_day('engaged_at', incremental_since('activity_date')) }}
    {% endif %}
),

stg_pgc__follow_events as (
    select
        viewer_id,
        action,
        cast(follow_event_at as date) as follow_event_date
    from {{ ref('stg_pgc__follow_events') }}
    {% if is_incremental() %}
        where {{ on_or_after_day('follow_event_at', incremental_since('activity_date')) }}
    {% endif %}
),

views_per_viewer_day as (
    select
        viewer_id,
        view_date as activity_date,
        -- A viewer's region is an account attribute: one value per viewer.
        max(viewer_region_code) as viewer_region_code,
        count(*) as view_count,
        sum(case when is_completed then 1 else 0 end) as completed_view_count,
        sum(watch_ms) as watch_ms
    from int_views_enriched
    group by viewer_id, view_date
),

-- The device of the day is the one with the most views; ties go to the first
-- device in alphabetical order, so the choice is deterministic.
devices_ranked as (
    select
        viewer_id,
        view_date as activity_date,
        device_os,
        row_number() over (
            partition by viewer_id, view_date
            order by count(*) desc, device_os asc
        ) as device_rank
    from int_views_enriched
    group by viewer_id, view_date, device_os
),

-- The app version of the day, chosen like the device: most views, ties to the
-- alphabetically first (the metric layer slices viewer metrics by it).
app_versions_ranked as (
    select
        viewer_id,
        view_date as activity_date,
        app_version,
        row_number() over (
            partition by viewer_id, view_date
            order by count(*) desc, app_version asc
        ) as app_version_rank
    from int_views_enriched
    group by viewer_id, view_date, app_version
),

impressions_per_viewer_day as (
    select
        viewer_id,
        impression_date as activity_date,
        count(*) as impression_count
    from int_impressions_enriched
    group by viewer_id, impression_date
),

engagements_per_viewer_day as (
    select
        viewer_id,
        engagement_date as activity_date,
        sum(case when engagement_type = 'like' then 1 else 0 end) as like_count,
        sum(case when engagement_type = 'comment' then 1 else 0 end) as comment_count,
        sum(case when engagement_type = 'share' then 1 else 0 end) as share_count,
        sum(case when engagement_type = 'save' then 1 else 0 end) as save_count
    from stg_pgc__engagements
    group by viewer_id, engagement_date
),

follows_per_viewer_day as (
    select
        viewer_id,
        follow_event_date as activity_date,
        sum(case when action = 'follow' then 1 else 0 end) as follow_count,
        sum(case when action = 'unfollow' then 1 else 0 end) as unfollow_count
    from stg_pgc__follow_events
    group by viewer_id, follow_event_date
),

-- Sparse: only viewer-days with a view. Engagements or follows on a day with
-- no view of that viewer (a like just after midnight) are not in this table;
-- fct_audience_daily counts every engagement.
viewer_days_measured as (
    select
        views_per_viewer_day.viewer_id,
        views_per_viewer_day.activity_date,
        views_per_viewer_day.viewer_region_code,
        devices_ranked.device_os,
        app_versions_ranked.app_version,
        cast(coalesce(impressions_per_viewer_day.impression_count, 0) as bigint)
            as impression_count,
        cast(views_per_viewer_day.view_count as bigint) as view_count,
        cast(views_per_viewer_day.completed_view_count as bigint) as completed_view_count,
        cast(views_per_viewer_day.watch_ms as bigint) as watch_ms,
        cast(coalesce(engagements_per_viewer_day.like_count, 0) as bigint) as like_count,
        cast(coalesce(engagements_per_viewer_day.comment_count, 0) as bigint)
            as comment_count,
        cast(coalesce(engagements_per_viewer_day.share_count, 0) as bigint) as share_count,
        cast(coalesce(engagements_per_viewer_day.save_count, 0) as bigint) as save_count,
        cast(coalesce(follows_per_viewer_day.follow_count, 0) as bigint) as follow_count,
        cast(coalesce(follows_per_viewer_day.unfollow_count, 0) as bigint) as unfollow_count
    from views_per_viewer_day
    inner join devices_ranked
        on
            views_per_viewer_day.viewer_id = devices_ranked.viewer_id
            and views_per_viewer_day.activity_date = devices_ranked.activity_date
            and devices_ranked.device_rank = 1
    inner join app_versions_ranked
        on
            views_per_viewer_day.viewer_id = app_versions_ranked.viewer_id
            and views_per_viewer_day.activity_date = app_versions_ranked.activity_date
            and app_versions_ranked.app_version_rank = 1
    left join impressions_per_viewer_day
        on
            views_per_viewer_day.viewer_id = impressions_per_viewer_day.viewer_id
            and views_per_viewer_day.activity_date = impressions_per_viewer_day.activity_date
    left join engagements_per_viewer_day
        on
            views_per_viewer_day.viewer_id = engagements_per_viewer_day.viewer_id
            and views_per_viewer_day.activity_date = engagements_per_viewer_day.activity_date
    left join follows_per_viewer_day
        on
            views_per_viewer_day.viewer_id = follows_per_viewer_day.viewer_id
            and views_per_viewer_day.activity_date = follows_per_viewer_day.activity_date
)

select {{ partition_write_hint() }} * from viewer_days_measured
