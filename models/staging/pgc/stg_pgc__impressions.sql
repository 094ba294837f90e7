{# Grain: one row per valid impression. #}

-- A view: the heavy work is done once, in the incremental base table.
{{ config(materialized='view') }}

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
)

select * from base_pgc__impressions
