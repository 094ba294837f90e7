{# Grain: one row per valid engagement. #}

{{
    config(
        materialized='incremental',
        unique_key='engagement_date',
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
    )
}}

with

base_pgc__engagements as (
    select
        engagement_id,
        view_id,
        viewer_id,
        content_id,
        engagement_type,
        engaged_at,
        cast(engaged_at as date) as engagement_date,
        ingested_at,
        is_late_arriving
    from {{ ref('base_pgc__engagements') }}
    where quarantine_reason is null
    {% if is_incremental() %}
        -- Re-process the lookback window so late-arriving events land.
        and cast(engaged_at as date) >= {{ incremental_since('engagement_date') }}
    {% endif %}
)

select * from base_pgc__engagements
