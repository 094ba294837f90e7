-- Question: in exp_editor_boost, how many views does a treated creator get
-- compared with a control creator (naive readout)? Two-sided market caveat:
-- viewers' attention is fixed, so treated creators gain views partly at the
-- expense of control creators and this lift overstates the effect of treating
-- every creator.

with

fct_experiment_units as (
    select
        variant,
        pre_views_received_count,
        during_views_received_count,
        during_impressions_received_count,
        during_post_count
    from {{ ref('fct_experiment_units') }}
    where
        experiment_id = 'exp_editor_boost'
        and unit_type = 'creator'
        and not has_conflicting_variants
),

arms as (
    select
        variant,
        count(*) as creator_count,
        avg(cast(pre_views_received_count as double)) as pre_views_per_creator,
        avg(cast(during_views_received_count as double)) as views_per_creator,
        avg(cast(during_impressions_received_count as double)) as impressions_per_creator,
        avg(cast(during_post_count as double)) as posts_per_creator
    from fct_experiment_units
    group by variant
),

readout as (
    select
        treatment_arm.creator_count as treatment_creators,
        control_arm.creator_count as control_creators,
        treatment_arm.views_per_creator as treatment_views_per_creator,
        control_arm.views_per_creator as control_views_per_creator,
        treatment_arm.views_per_creator / control_arm.views_per_creator - 1
            as naive_relative_lift,
        treatment_arm.pre_views_per_creator / control_arm.pre_views_per_creator - 1
            as pre_period_relative_difference
    from arms as treatment_arm
    inner join arms as control_arm
        on
            treatment_arm.variant = 'treatment'
            and control_arm.variant = 'control'
)

select * from readout
