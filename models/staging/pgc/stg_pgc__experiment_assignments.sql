{# Grain: one row per valid logged exposure of a unit to an experiment. #}

with

base_pgc__experiment_assignments as (
    select
        assignment_id,
        experiment_id,
        unit_type,
        unit_id,
        variant,
        assigned_at,
        ingested_at,
        is_late_arriving
    from {{ ref('base_pgc__experiment_assignments') }}
    where quarantine_reason is null
)

select * from base_pgc__experiment_assignments
