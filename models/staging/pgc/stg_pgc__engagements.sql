{# Grain: one row per valid engagement. #}

-- A view: the heavy work is done once, in the incremental base table.
{{ config(materialized='view') }}

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
)

select * from base_pgc__engagements
