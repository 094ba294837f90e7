{# Grain: one row per valid engagement. #}

with

base_pgc__engagements as (
    select
        engagement_id,
        view_id,
        viewer_id,
        content_id,
        engagement_type,
        engaged_at,
        ingested_at,
        is_late_arriving
    from {{ ref('base_pgc__engagements') }}
    where quarantine_reason is null
)

select * from base_pgc__engagements
