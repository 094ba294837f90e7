{# Grain: one row per valid impression, with its post, creator, viewer and view, if any. #}

{{
    config(
        materialized='incremental',
        unique_key='impression_date',
        partition_by=['impression_date'],
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
    )
}}

with

stg_pgc__impressions as (
    select
        impression_id,
        viewer_id,
        content_id,
        surface_code,
        rank_position,
        model_version,
        served_at,
        is_late_arriving
    from {{ ref('stg_pgc__impressions') }}
    {% if is_incremental() %}
        where {{ on_or_after_day('served_at', incremental_since('impression_date')) }}
    {% endif %}
),

stg_pgc__views as (
    select
        impression_id,
        watch_ms,
        is_completed
    from {{ ref('stg_pgc__views') }}
    -- A view starts seconds after its impression, never before it.
    {% if is_incremental() %}
        where {{ on_or_after_day('viewed_at', incremental_since('impression_date')) }}
    {% endif %}
),

stg_pgc__content_items as (
    select
        content_id,
        creator_id,
        category_code,
        format,
        published_at
    from {{ ref('stg_pgc__content_items') }}
),

stg_pgc__creators as (
    select
        creator_id,
        creator_type,
        signed_up_at
    from {{ ref('stg_pgc__creators') }}
),

creator_types as (
    select
        creator_type,
        is_pgc
    from {{ ref('creator_types') }}
),

stg_pgc__viewers as (
    select
        viewer_id,
        region_code
    from {{ ref('stg_pgc__viewers') }}
),

-- Staging quarantined every orphan, so these inner joins drop no impression.
impressions_joined as (
    select
        stg_pgc__impressions.impression_id,
        stg_pgc__impressions.viewer_id,
        stg_pgc__impressions.content_id,
        stg_pgc__content_items.creator_id,
        cast(stg_pgc__impressions.served_at as date) as impression_date,
        stg_pgc__impressions.served_at,
        stg_pgc__impressions.surface_code,
        stg_pgc__impressions.rank_position,
        stg_pgc__impressions.model_version,
        stg_pgc__viewers.region_code as viewer_region_code,
        stg_pgc__creators.creator_type,
        creator_types.is_pgc,
        stg_pgc__content_items.category_code,
        stg_pgc__content_items.format,
        stg_pgc__content_items.published_at,
        stg_pgc__impressions.served_at < {{
            dbt.dateadd('day', var('new_creator_days'), 'stg_pgc__creators.signed_up_at')
        }} as is_new_creator,
        stg_pgc__impressions.is_late_arriving,
        stg_pgc__views.impression_id is not null as is_viewed,
        coalesce(stg_pgc__views.watch_ms, 0) as watch_ms,
        coalesce(stg_pgc__views.is_completed, false) as is_completed
    from stg_pgc__impressions
    inner join stg_pgc__content_items
        on stg_pgc__impressions.content_id = stg_pgc__content_items.content_id
    inner join stg_pgc__creators
        on stg_pgc__content_items.creator_id = stg_pgc__creators.creator_id
    inner join creator_types
        on stg_pgc__creators.creator_type = creator_types.creator_type
    inner join stg_pgc__viewers
        on stg_pgc__impressions.viewer_id = stg_pgc__viewers.viewer_id
    -- Each impression starts at most one view (view ids are unique per impression).
    left join stg_pgc__views
        on stg_pgc__impressions.impression_id = stg_pgc__views.impression_id
)

select {{ partition_write_hint() }} * from impressions_joined
