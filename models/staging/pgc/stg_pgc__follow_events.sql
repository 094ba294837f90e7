{# Grain: one row per valid follow or unfollow event. #}

with

base_pgc__follows as (
    select
        follow_event_id,
        viewer_id,
        creator_id,
        action,
        follow_event_at,
        ingested_at,
        is_late_arriving
    from {{ ref('base_pgc__follows') }}
    where quarantine_reason is null
)

select * from base_pgc__follows
