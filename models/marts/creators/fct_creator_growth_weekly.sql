{# Grain: one row per ISO week (Monday to Sunday) of the event logs and creator type. #}

{#- Zero rows included. Growth accounting of active
    creators (those who published a post in the week): see int_creator_weeks_classified
    for the states. active_creators = new + retained + resurrected, and
    active_creators_previous_week = retained + churned. -#}

with

int_creator_weeks_classified as (
    select
        creator_type,
        activity_week,
        is_in_log_window,
        growth_state
    from {{ ref('int_creator_weeks_classified') }}
),

int_views_aggregated_to_creator_days as (
    select activity_date
    from {{ ref('int_views_aggregated_to_creator_days') }}
),

last_log_day as (
    select max(activity_date) as last_log_date
    from int_views_aggregated_to_creator_days
),

weeks as (
    select distinct
        activity_week,
        is_in_log_window
    from int_creator_weeks_classified
),

creator_types as (
    select creator_type
    from {{ ref('creator_types') }}
),

weekly_counts as (
    select
        activity_week,
        creator_type,
        sum(case when growth_state in ('new', 'retained', 'resurrected') then 1 else 0 end)
            as active_creators,
        sum(case when growth_state = 'new' then 1 else 0 end) as new_creators,
        sum(case when growth_state = 'retained' then 1 else 0 end) as retained_creators,
        sum(case when growth_state = 'resurrected' then 1 else 0 end) as resurrected_creators,
        sum(case when growth_state = 'churned' then 1 else 0 end) as churned_creators
    from int_creator_weeks_classified
    group by activity_week, creator_type
),

-- Every week for every creator type, so the previous row is the previous week.
week_types as (
    select
        weeks.activity_week,
        weeks.is_in_log_window,
        creator_types.creator_type,
        cast(coalesce(weekly_counts.active_creators, 0) as bigint) as active_creators,
        cast(coalesce(weekly_counts.new_creators, 0) as bigint) as new_creators,
        cast(coalesce(weekly_counts.retained_creators, 0) as bigint) as retained_creators,
        cast(coalesce(weekly_counts.resurrected_creators, 0) as bigint) as resurrected_creators,
        cast(coalesce(weekly_counts.churned_creators, 0) as bigint) as churned_creators
    from weeks
    cross join creator_types
    left join weekly_counts
        on
            weeks.activity_week = weekly_counts.activity_week
            and creator_types.creator_type = weekly_counts.creator_type
),

with_previous as (
    select
        activity_week,
        is_in_log_window,
        creator_type,
        active_creators,
        new_creators,
        retained_creators,
        resurrected_creators,
        churned_creators,
        -- Nobody can have been active before the first week of the post history.
        coalesce(lag(active_creators) over (
            partition by creator_type order by activity_week
        ), 0) as active_creators_previous_week
    from week_types
),

final as (
    select
        with_previous.activity_week as week_start_date,
        with_previous.creator_type,
        cast(least(7, {{
            dbt.datediff('with_previous.activity_week', 'last_log_day.last_log_date', 'day')
        }} + 1) as integer) as days_observed,
        with_previous.active_creators,
        with_previous.new_creators,
        with_previous.retained_creators,
        with_previous.resurrected_creators,
        with_previous.churned_creators,
        with_previous.active_creators_previous_week,
        cast(with_previous.retained_creators as double)
        / nullif(with_previous.active_creators_previous_week, 0) as retention_rate,
        cast(with_previous.new_creators + with_previous.resurrected_creators as double)
        / nullif(with_previous.churned_creators, 0) as quick_ratio
    from with_previous
    cross join last_log_day
    where with_previous.is_in_log_window
)

select * from final
