{# Grain: one row per valid follow or unfollow event. #}

{{
    config(
        materialized='incremental',
        unique_key='follow_event_date',
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
    )
}}

with

base_pgc__follows as (
    select
        follow_event_id,
        viewer_id,
        creator_id,
        action,
        follow_event_at,
        cast(follow_event_at as date) as follow_event_date,
        ingested_at,
        is_late_arriving
    from {{ ref('base_pgc__follows') }}
    where quarantine_reason is null
    {% if is_incremental() %}
        -- Re-process the lookback window so late-arriving events land.
        and cast(follow_event_at as date) >= {{ incremental_since('follow_event_date') }}
    {% endif %}
)

select * from base_pgc__follows
