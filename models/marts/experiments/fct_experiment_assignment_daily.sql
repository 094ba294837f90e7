{# Grain: one row per experiment x unit_type x variant x assignment date. #}

with

int_experiment_units_assigned as (
    select
        experiment_id,
        unit_type,
        variant,
        first_assigned_at
    from {{ ref('int_experiment_units_assigned') }}
),

experiment_registry as (
    select
        experiment_id,
        treatment_share
    from {{ ref('experiment_registry') }}
),

units_by_first_date as (
    select
        experiment_id,
        unit_type,
        variant,
        cast(first_assigned_at as date) as assignment_date,
        count(*) as new_unit_count
    from int_experiment_units_assigned
    group by experiment_id, unit_type, variant, cast(first_assigned_at as date)
),

variants as (
    select 'control' as variant
    union all
    select 'treatment' as variant
),

-- Every variant on every day any unit of the experiment's side was assigned, so
-- a day on which one arm logged nobody shows a zero instead of a missing row.
variant_days as (
    select distinct
        units_by_first_date.experiment_id,
        units_by_first_date.unit_type,
        variants.variant,
        units_by_first_date.assignment_date
    from units_by_first_date
    cross join variants
),

assignments_accumulated as (
    select
        variant_days.experiment_id,
        variant_days.unit_type,
        variant_days.variant,
        variant_days.assignment_date,
        coalesce(units_by_first_date.new_unit_count, 0) as new_unit_count,
        cast(sum(coalesce(units_by_first_date.new_unit_count, 0)) over (
            partition by variant_days.experiment_id, variant_days.unit_type, variant_days.variant
            order by variant_days.assignment_date
            rows between unbounded preceding and current row
        ) as bigint) as cumulative_unit_count,
        case
            when variant_days.variant = 'treatment' then experiment_registry.treatment_share
            else 1 - experiment_registry.treatment_share
        end as expected_variant_share
    from variant_days
    left join units_by_first_date
        on
            variant_days.experiment_id = units_by_first_date.experiment_id
            and variant_days.unit_type = units_by_first_date.unit_type
            and variant_days.variant = units_by_first_date.variant
            and variant_days.assignment_date = units_by_first_date.assignment_date
    inner join experiment_registry
        on variant_days.experiment_id = experiment_registry.experiment_id
)

select * from assignments_accumulated
