{# Grain: one row per valid impression. #}

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
        ingested_at,
        is_late_arriving
    from {{ ref('base_pgc__impressions') }}
    where quarantine_reason is null
)

select * from base_pgc__impressions
