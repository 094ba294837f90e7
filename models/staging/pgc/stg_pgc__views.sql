{# Grain: one row per valid view. #}

{{
    config(
        materialized='incremental',
        unique_key='view_date',
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
    )
}}

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
    {% if is_incremental() %}
        -- Re-process the lookback window so late-arriving events land.
        and cast(viewed_at as date) >= {{ incremental_since('view_date') }}
    {% endif %}
)

select * from base_pgc__views
