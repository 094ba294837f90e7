{# Grain: one row per experiment x unit_type x unit_id (each logged unit once). #}

-- A view: exposures are few (one per unit and log event), and the viewer, the
-- creator and the assignment marts each read it once per build.

with

stg_pgc__experiment_assignments as (
    select
        assignment_id,
        experiment_id,
        unit_type,
        unit_id,
        variant,
        assigned_at
    from {{ ref('stg_pgc__experiment_assignments') }}
),

experiment_registry as (
    select
        experiment_id,
        randomization_unit,
        start_date,
        end_date
    from {{ ref('experiment_registry') }}
),

-- A unit can be logged more than once; its first logged exposure sets its variant.
assignments_ranked as (
    select
        experiment_id,
        unit_type,
        unit_id,
        variant,
        assigned_at,
        row_number() over (
            partition by experiment_id, unit_type, unit_id
            order by assigned_at asc, assignment_id asc
        ) as assignment_rank
    from stg_pgc__experiment_assignments
),

units_deduplicated as (
    select
        experiment_id,
        unit_type,
        unit_id,
        max(case when assignment_rank = 1 then variant end) as variant,
        min(assigned_at) as first_assigned_at,
        count(*) as assignment_row_count,
        count(distinct variant) > 1 as has_conflicting_variants
    from assignments_ranked
    group by experiment_id, unit_type, unit_id
),

-- Pre-period: the 14 days before the start date; during: from the unit's first
-- exposure to the end of the end date. Experiments not in the registry drop out.
units_with_windows as (
    select
        units_deduplicated.experiment_id,
        units_deduplicated.unit_type,
        units_deduplicated.unit_id,
        units_deduplicated.variant,
        units_deduplicated.first_assigned_at,
        units_deduplicated.assignment_row_count,
        units_deduplicated.has_conflicting_variants,
        experiment_registry.randomization_unit,
        cast({{ dbt.dateadd('day', -14, 'experiment_registry.start_date') }} as date)
            as pre_period_start_date,
        experiment_registry.start_date as experiment_start_date,
        experiment_registry.end_date as experiment_end_date
    from units_deduplicated
    inner join experiment_registry
        on units_deduplicated.experiment_id = experiment_registry.experiment_id
)

select * from units_with_windows
