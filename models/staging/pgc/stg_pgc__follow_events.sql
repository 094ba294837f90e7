{# Grain: one row per valid follow or unfollow event. #}

-- A view: the heavy work is done once, in the incremental base table.
{{ config(materialized='view') }}

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
)

select * from base_pgc__follows
