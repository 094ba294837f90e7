-- Question: were exp_rank_v2's arms alike before the experiment started? Mean
-- pre-period covariates per arm (14 days before the start date), with the
-- standardized difference (treatment - control) / pooled standard deviation.
-- Balance is also what CUPED relies on.

with

fct_experiment_units as (
    select
        variant,
        pre_impression_count,
        pre_view_count,
        pre_watch_ms,
        pre_active_days
    from {{ ref('fct_experiment_units') }}
    where
        experiment_id = 'exp_rank_v2'
        and unit_type = 'viewer'
        and not has_conflicting_variants
),

covariates_long as (
    select
        variant,
        'pre_impression_count' as covariate,
        pre_impression_count as covariate_value
    from fct_experiment_units
    union all
    select
        variant,
        'pre_view_count' as covariate,
        pre_view_count as covariate_value
    from fct_experiment_units
    union all
    select
        variant,
        'pre_watch_ms' as covariate,
        pre_watch_ms as covariate_value
    from fct_experiment_units
    union all
    select
        variant,
        'pre_active_days' as covariate,
        pre_active_days as covariate_value
    from fct_experiment_units
),

arm_moments as (
    select
        covariate,
        variant,
        count(*) as unit_count,
        avg(cast(covariate_value as double)) as mean_value,
        var_samp(cast(covariate_value as double)) as variance_value
    from covariates_long
    group by covariate, variant
),

balance as (
    select
        treatment_arm.covariate,
        control_arm.unit_count as control_units,
        treatment_arm.unit_count as treatment_units,
        control_arm.mean_value as control_mean,
        treatment_arm.mean_value as treatment_mean,
        (treatment_arm.mean_value - control_arm.mean_value)
        / sqrt((treatment_arm.variance_value + control_arm.variance_value) / 2)
            as standardized_difference
    from arm_moments as treatment_arm
    inner join arm_moments as control_arm
        on
            treatment_arm.covariate = control_arm.covariate
            and treatment_arm.variant = 'treatment'
            and control_arm.variant = 'control'
)

select * from balance
order by covariate
