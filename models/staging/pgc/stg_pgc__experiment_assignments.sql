{# Grain: one row per valid logged exposure of a unit to an experiment. #}

{{
    config(
        materialized='incremental',
        unique_key='assignment_date',
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
    )
}}

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
    {% if is_incremental() %}
        -- Re-process the lookback window so late-arriving events land.
        and cast(assigned_at as date) >= {{ incremental_since('assignment_date') }}
    {% endif %}
)

select * from base_pgc__experiment_assignments
