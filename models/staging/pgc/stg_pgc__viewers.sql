{# Grain: one row per valid viewer account. #}

-- A view: the base table holds the rows already.
{{ config(materialized='view') }}

with

base_pgc__viewers as (
    select
        viewer_id,
        region_code,
        signed_up_at,
        ingested_at
    from {{ ref('base_pgc__viewers') }}
    where quarantine_reason is null
)

select * from base_pgc__viewers
