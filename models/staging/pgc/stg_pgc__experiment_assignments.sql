{# Grain: one row per valid logged exposure of a unit to an experiment. #}

-- A view: the heavy work is done once, in the incremental base table.
{{ config(materialized='view') }}

with

base_pgc__experiment_assignments as (
    select
        assignment_id,
        experiment_id,
        unit_type,
        unit_id,
        variant,
        assigned_at,
        cast(assigned_at as date) as assignment_date,
        ingested_at,
        is_late_arriving
    from {{ ref('base_pgc__experiment_assignments') }}
    where quarantine_reason is null
)

select * from base_pgc__experiment_assignments
