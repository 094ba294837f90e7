{# Grain: one row per valid rewards enrollment. #}

-- A view: the base table holds the rows already.
{{ config(materialized='view') }}

with

base_pgc__rewards_enrollments as (
    select
        enrollment_id,
        creator_id,
        program_id,
        enrolled_at,
        ingested_at,
        is_late_arriving
    from {{ ref('base_pgc__rewards_enrollments') }}
    where quarantine_reason is null
)

select * from base_pgc__rewards_enrollments
