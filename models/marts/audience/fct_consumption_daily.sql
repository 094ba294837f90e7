{# Grain: one row per served date x post x surface x ranking model version x
   viewer region x device x app version x creator tenure when served. #}

-- What was served and watched, at the grain the metric layer slices by: every
-- impression with the view that started from it (a view happens on its
-- impression's day, so one date dates both) and the engagements of that view.
-- Device and app version are logged on views only: an impression nobody
-- watched has neither (null), so impression-based metrics are not sliced by
-- them. The creator's tier, follower band and tenure are the creator's state
-- on the day (from fct_creator_daily), not today's.
{{ config(
    materialized='incremental',
    unique_key='activity_date',
    partition_by=['activity_date'],
    incremental_strategy=incremental_strategy(),
    on_schema_change='fail',
) }}

with

int_impressions_enriched as (
    select
        impression_id,
        content_id,
        creator_id,
        impression_date,
        surface_code,
        model_version,
        viewer_region_code,
        is_pgc,
        is_new_creator
    from {{ ref('int_impressions_enriched') }}
    {% if is_incremental() %}
        where impression_date >= {{ incremental_since('activity_date') }}
    {% endif %}
),

int_views_enriched as (
    select
        view_id,
        impression_id,
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

stg_pgc__engagements as (
    select
        view_id,
        engagement_type
    from {{ ref('stg_pgc__engagements') }}
    {% if is_incremental() %}
        where {{ on_or_after_day('engaged_at', incremental_since('activity_date')) }}
    {% endif %}
),

fct_creator_daily as (
    select
        creator_id,
        activity_date,
        creator_tier,
        follower_band
    from {{ ref('fct_creator_daily') }}
    {% if is_incremental() %}
        where activity_date >= {{ incremental_since('activity_date') }}
    {% endif %}
),

engagements_per_view as (
    select
        view_id,
        sum(case when engagement_type = 'like' then 1 else 0 end) as like_count,
        sum(case when engagement_type = 'comment' then 1 else 0 end) as comment_count,
        sum(case when engagement_type = 'share' then 1 else 0 end) as share_count,
        sum(case when engagement_type = 'save' then 1 else 0 end) as save_count
    from stg_pgc__engagements
    group by view_id
),

views_measured as (
    select
        int_views_enriched.impression_id,
        int_views_enriched.device_os,
        int_views_enriched.app_version,
        int_views_enriched.watch_ms,
        case when int_views_enriched.is_completed then 1 else 0 end as completed_view_count,
        coalesce(engagements_per_view.like_count, 0) as like_count,
        coalesce(engagements_per_view.comment_count, 0) as comment_count,
        coalesce(engagements_per_view.share_count, 0) as share_count,
        coalesce(engagements_per_view.save_count, 0) as save_count
    from int_views_enriched
    left join engagements_per_view
        on int_views_enriched.view_id = engagements_per_view.view_id
),

impressions_with_views as (
    select
        int_impressions_enriched.impression_date as activity_date,
        int_impressions_enriched.content_id,
        int_impressions_enriched.creator_id,
        int_impressions_enriched.surface_code,
        int_impressions_enriched.model_version,
        int_impressions_enriched.viewer_region_code,
        views_measured.device_os,
        views_measured.app_version,
        int_impressions_enriched.is_pgc,
        int_impressions_enriched.is_new_creator,
        views_measured.impression_id is not null as is_viewed,
        views_measured.watch_ms,
        views_measured.completed_view_count,
        views_measured.like_count,
        views_measured.comment_count,
        views_measured.share_count,
        views_measured.save_count
    from int_impressions_enriched
    left join views_measured
        on int_impressions_enriched.impression_id = views_measured.impression_id
),

consumption_per_leaf as (
    select
        activity_date,
        content_id,
        creator_id,
        surface_code,
        model_version,
        viewer_region_code,
        device_os,
        app_version,
        is_pgc,
        is_new_creator,
        count(*) as impression_count,
        sum(case when is_viewed then 1 else 0 end) as view_count,
        coalesce(sum(completed_view_count), 0) as completed_view_count,
        coalesce(sum(watch_ms), 0) as watch_ms,
        coalesce(sum(like_count), 0) as like_count,
        coalesce(sum(comment_count), 0) as comment_count,
        coalesce(sum(share_count), 0) as share_count,
        coalesce(sum(save_count), 0) as save_count
    from impressions_with_views
    group by
        activity_date,
        content_id,
        creator_id,
        surface_code,
        model_version,
        viewer_region_code,
        device_os,
        app_version,
        is_pgc,
        is_new_creator
),

consumption_with_creator_state as (
    select
        consumption_per_leaf.activity_date,
        consumption_per_leaf.content_id,
        consumption_per_leaf.creator_id,
        consumption_per_leaf.surface_code,
        consumption_per_leaf.model_version,
        consumption_per_leaf.viewer_region_code,
        consumption_per_leaf.device_os,
        consumption_per_leaf.app_version,
        fct_creator_daily.creator_tier,
        fct_creator_daily.follower_band,
        consumption_per_leaf.is_pgc,
        consumption_per_leaf.is_new_creator,
        cast(consumption_per_leaf.impression_count as bigint) as impression_count,
        cast(consumption_per_leaf.view_count as bigint) as view_count,
        cast(consumption_per_leaf.completed_view_count as bigint) as completed_view_count,
        cast(consumption_per_leaf.watch_ms as bigint) as watch_ms,
        cast(consumption_per_leaf.like_count as bigint) as like_count,
        cast(consumption_per_leaf.comment_count as bigint) as comment_count,
        cast(consumption_per_leaf.share_count as bigint) as share_count,
        cast(consumption_per_leaf.save_count as bigint) as save_count
    from consumption_per_leaf
    left join fct_creator_daily
        on
            consumption_per_leaf.creator_id = fct_creator_daily.creator_id
            and consumption_per_leaf.activity_date = fct_creator_daily.activity_date
)

-- Stored by day: metric_daily reads its recent days once per slicing, and
-- `pgc explain` the days it compares (docs/marts.md).
select {{ partition_write_hint() }} * from consumption_with_creator_state
{{ cluster_rows_by('activity_date') }}
