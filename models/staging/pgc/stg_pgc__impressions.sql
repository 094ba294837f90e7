{# Grain: one row per valid impression. #}

{{
    config(
        materialized='incremental',
        unique_key='impression_date',
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
    )
}}

with

base_pgc__impressions as (
    select
        impression_id,
        viewer_id,
        content_id,
        surface_code,
        rank_position,
        model_version,
        served_at,
        cast(served_at as date) as impression_date,
        ingested_at,
        is_late_arriving
    from {{ ref('base_pgc__impressions') }}
    where quarantine_reason is null
    {% if is_incremental() %}
        -- Re-process the lookback window so late-arriving events land.
        and cast(served_at as date) >= {{ incremental_since('impression_date') }}
    {% endif %}
)

select * from base_pgc__impressions
