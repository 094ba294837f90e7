{# Grain: one row per valid view. #}

-- A view: the heavy work is done once, in the incremental base table.
{{ config(materialized='view') }}

with

base_pgc__views as (
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
        cast(viewed_at as date) as view_date,
        ingested_at,
        is_late_arriving
    from {{ ref('base_pgc__views') }}
    where quarantine_reason is null
)

select * from base_pgc__views
