{# Grain: one row per UTC date and viewer region with any impression, view or engagement. #}

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
        watch_ms,
        is_completed
    from {{ ref('int_views_enriched') }}
    {% if is_incremental() %}
        where view_date >= {{ incremental_since('activity_date') }}
    {% endif %}
),

int_impressions_enriched as (
    select
        viewer_region_code,
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

stg_pgc__viewers as (
    select
        viewer_id,
        region_code
    from {{ ref('stg_pgc__viewers') }}
),

-- A viewer has one region, so active viewers add up across regions exactly.
views_per_region_day as (
    select
        view_date as activity_date,
        viewer_region_code,
        count(distinct viewer_id) as active_viewer_count,
        count(*) as view_count,
        sum(case when is_completed then 1 else 0 end) as completed_view_count,
        sum(watch_ms) as watch_ms
    from int_views_enriched
    group by view_date, viewer_region_code
),

impressions_per_region_day as (
    select
        impression_date as activity_date,
        viewer_region_code,
        count(*) as impression_count
    from int_impressions_enriched
    group by impression_date, viewer_region_code
),

engagements_per_region_day as (
    select
        stg_pgc__engagements.engagement_date as activity_date,
        stg_pgc__viewers.region_code as viewer_region_code,
        count(*) as engagement_count,
        sum(case when stg_pgc__engagements.engagement_type = 'like' then 1 else 0 end)
            as like_count,
        sum(case when stg_pgc__engagements.engagement_type = 'comment' then 1 else 0 end)
            as comment_count,
        sum(case when stg_pgc__engagements.engagement_type = 'share' then 1 else 0 end)
            as share_count,
        sum(case when stg_pgc__engagements.engagement_type = 'save' then 1 else 0 end)
            as save_count
    from stg_pgc__engagements
    inner join stg_pgc__viewers
        on stg_pgc__engagements.viewer_id = stg_pgc__viewers.viewer_id
    group by stg_pgc__engagements.engagement_date, stg_pgc__viewers.region_code
),

region_days as (
    select
        activity_date,
        viewer_region_code
    from views_per_region_day
    union
    select
        activity_date,
        viewer_region_code
    from impressions_per_region_day
    union
    select
        activity_date,
        viewer_region_code
    from engagements_per_region_day
),

-- Numerators and denominators only: the metric layer divides them, so ratios
-- re-aggregate correctly over regions and weeks.
region_days_measured as (
    select
        region_days.activity_date,
        region_days.viewer_region_code,
        cast(coalesce(views_per_region_day.active_viewer_count, 0) as bigint)
            as active_viewer_count,
        cast(coalesce(impressions_per_region_day.impression_count, 0) as bigint)
            as impression_count,
        cast(coalesce(views_per_region_day.view_count, 0) as bigint) as view_count,
        cast(coalesce(views_per_region_day.completed_view_count, 0) as bigint)
            as completed_view_count,
        cast(coalesce(views_per_region_day.watch_ms, 0) as bigint) as watch_ms,
        cast(coalesce(engagements_per_region_day.engagement_count, 0) as bigint)
            as engagement_count,
        cast(coalesce(engagements_per_region_day.like_count, 0) as bigint) as like_count,
        cast(coalesce(engagements_per_region_day.comment_count, 0) as bigint)
            as comment_count,
        cast(coalesce(engagements_per_region_day.share_count, 0) as bigint) as share_count,
        cast(coalesce(engagements_per_region_day.save_count, 0) as bigint) as save_count
    from region_days
    left join views_per_region_day
        on
            region_days.activity_date = views_per_region_day.activity_date
            and region_days.viewer_region_code = views_per_region_day.viewer_region_code
    left join impressions_per_region_day
        on
            region_days.activity_date = impressions_per_region_day.activity_date
            and region_days.viewer_region_code = impressions_per_region_day.viewer_region_code
    left join engagements_per_region_day
        on
            region_days.activity_date = engagements_per_region_day.activity_date
            and region_days.viewer_region_code = engagements_per_region_day.viewer_region_code
)

select {{ partition_write_hint() }} * from region_days_measured
