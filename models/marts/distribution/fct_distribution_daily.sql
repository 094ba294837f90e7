{# Grain: one row per impression date x surface_code x model_version. #}

{{ config(
    materialized='incremental',
    unique_key='impression_date',
    partition_by=['impression_date'],
    incremental_strategy=incremental_strategy(),
    on_schema_change='fail',
) }}

with

int_impressions_viewed as (
    select
        creator_id,
        content_id,
        impression_date,
        surface_code,
        model_version,
        is_pgc,
        is_new_creator,
        is_viewed,
        watch_ms,
        is_completed
    from {{ ref('int_impressions_viewed') }}
    {% if is_incremental() %}
        where impression_date >= {{ incremental_since('impression_date') }}
    {% endif %}
),

stg_pgc__content_items as (
    select
        content_id,
        published_at
    from {{ ref('stg_pgc__content_items') }}
),

impressions_aggregated as (
    select
        impression_date,
        surface_code,
        model_version,
        count(*) as impression_count,
        count(*) filter (where is_viewed) as view_count,
        cast(sum(watch_ms) as bigint) as watch_ms,
        count(*) filter (where is_completed) as completed_view_count,
        count(*) filter (where is_new_creator) as new_creator_impression_count,
        count(*) filter (where is_pgc) as pgc_impression_count,
        count(distinct content_id) as shown_post_count
    from int_impressions_viewed
    group by impression_date, surface_code, model_version
),

creator_impressions as (
    select
        impression_date,
        surface_code,
        model_version,
        creator_id,
        count(*) as impression_count
    from int_impressions_viewed
    group by impression_date, surface_code, model_version, creator_id
),

exposure_concentration as (
    {{ exposure_concentration(
        'creator_impressions', ['impression_date', 'surface_code', 'model_version']
    ) }}
),

impression_dates as (
    select distinct impression_date from int_impressions_viewed
),

live_posts as (
    {{ count_live_posts('impression_dates', 'stg_pgc__content_items', 'impression_date') }}
),

metrics_joined as (
    select
        impressions_aggregated.impression_date,
        impressions_aggregated.surface_code,
        impressions_aggregated.model_version,
        {{ distribution_metric_columns() }}
    from impressions_aggregated
    inner join exposure_concentration
        on
            impressions_aggregated.impression_date = exposure_concentration.impression_date
            and impressions_aggregated.surface_code = exposure_concentration.surface_code
            and impressions_aggregated.model_version = exposure_concentration.model_version
    inner join live_posts
        on impressions_aggregated.impression_date = live_posts.impression_date
)

select {{ partition_write_hint() }} * from metrics_joined
