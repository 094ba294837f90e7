{# Grain: one row per valid creator account. #}

-- A view: the base table holds the rows already.
{{ config(materialized='view') }}

with

base_pgc__creators as (
    select
        creator_id,
        creator_type,
        region_code,
        is_verified,
        baseline_follower_count,
        signed_up_at,
        ingested_at
    from {{ ref('base_pgc__creators') }}
    where quarantine_reason is null
)

select * from base_pgc__creators
