{# Grain: one row per valid view, with the post, creator and viewer it involves. #}

{{
    config(
        materialized='incremental',
        unique_key='view_date',
        partition_by=['view_date'],
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
    )
}}

with

stg_pgc__views as (
    select
        view_id,
        impression_id,
        viewer_id,
        content_id,
        surface_code,
        watch_ms,
        is_completed,
        device_os,
        app_version,
        viewed_at,
        is_late_arriving
    from {{ ref('stg_pgc__views') }}
    {% if is_incremental() %}
        where {{ on_or_after_day('viewed_at', incremental_since('view_date')) }}
    {% endif %}
),

stg_pgc__content_items as (
    select
        content_id,
        creator_id,
        category_code,
        format,
        duration_seconds,
        tool_code,
        published_at
    from {{ ref('stg_pgc__content_items') }}
),

stg_pgc__creators as (
    select
        creator_id,
        creator_type,
        region_code,
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

-- Staging quarantined every orphan, so these inner joins drop no view.
views_joined as (
    select
        stg_pgc__views.view_id,
        stg_pgc__views.impression_id,
        stg_pgc__views.viewer_id,
        stg_pgc__views.content_id,
        stg_pgc__content_items.creator_id,
        cast(stg_pgc__views.viewed_at as date) as view_date,
        stg_pgc__views.viewed_at,
        stg_pgc__views.surface_code,
        stg_pgc__views.device_os,
        stg_pgc__views.app_version,
        stg_pgc__viewers.region_code as viewer_region_code,
        stg_pgc__creators.region_code as creator_region_code,
        stg_pgc__creators.creator_type,
        creator_types.is_pgc,
        stg_pgc__content_items.category_code,
        stg_pgc__content_items.format,
        stg_pgc__content_items.tool_code,
        stg_pgc__content_items.duration_seconds,
        stg_pgc__content_items.published_at,
        stg_pgc__creators.signed_up_at as creator_signed_up_at,
        stg_pgc__views.viewed_at < {{
            dbt.dateadd('day', var('new_creator_days'), 'stg_pgc__creators.signed_up_at')
        }} as is_new_creator,
        stg_pgc__views.watch_ms,
        stg_pgc__views.is_completed,
        stg_pgc__views.is_late_arriving
    from stg_pgc__views
    inner join stg_pgc__content_items
        on stg_pgc__views.content_id = stg_pgc__content_items.content_id
    inner join stg_pgc__creators
        on stg_pgc__content_items.creator_id = stg_pgc__creators.creator_id
    inner join creator_types
        on stg_pgc__creators.creator_type = creator_types.creator_type
    inner join stg_pgc__viewers
        on stg_pgc__views.viewer_id = stg_pgc__viewers.viewer_id
)

select {{ partition_write_hint() }} * from views_joined
