{# Grain: one row per valid published post. #}

-- A view: the base table holds the rows already.
{{ config(materialized='view') }}

with

base_pgc__content as (
    select
        content_id,
        creator_id,
        category_code,
        format,
        duration_seconds,
        tool_code,
        published_at,
        ingested_at
    from {{ ref('base_pgc__content') }}
    where quarantine_reason is null
)

select * from base_pgc__content
