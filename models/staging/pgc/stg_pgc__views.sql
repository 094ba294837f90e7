{# Grain: one row per valid view. #}

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
        ingested_at,
        is_late_arriving
    from {{ ref('base_pgc__views') }}
    where quarantine_reason is null
)

select * from base_pgc__views
