-- Question: does any experiment have a sample-ratio mismatch? Final logged
-- units per arm against the designed split, with the chi-square statistic on
-- one degree of freedom (above 10.83 means p < 0.001).

with

fct_experiment_assignment_daily as (
    select
        experiment_id,
        unit_type,
        variant,
        cumulative_unit_count,
        expected_variant_share
    from {{ ref('fct_experiment_assignment_daily') }}
),

final_counts as (
    select
        experiment_id,
        unit_type,
        variant,
        max(cumulative_unit_count) as unit_count,
        max(expected_variant_share) as expected_variant_share
    from fct_experiment_assignment_daily
    group by experiment_id, unit_type, variant
),

with_totals as (
    select
        experiment_id,
        unit_type,
        variant,
        unit_count,
        expected_variant_share,
        sum(unit_count) over (partition by experiment_id, unit_type) as total_units
    from final_counts
),

sample_ratios as (
    select
        experiment_id,
        unit_type,
        sum(unit_count) filter (where variant = 'control') as control_units,
        sum(unit_count) filter (where variant = 'treatment') as treatment_units,
        sum(unit_count) filter (where variant = 'treatment')
        / cast(max(total_units) as double) as observed_treatment_share,
        max(expected_variant_share) filter (where variant = 'treatment')
            as expected_treatment_share,
        sum(
            (unit_count - total_units * expected_variant_share)
            * (unit_count - total_units * expected_variant_share)
            / (total_units * expected_variant_share)
        ) as chi_square_statistic
    from with_totals
    group by experiment_id, unit_type
)

select * from sample_ratios
order by experiment_id, unit_type
