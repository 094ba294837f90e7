-- Growth accounting carries each week into the next: a week's
-- active_creators_previous_week is the week before's active_creators of the
-- same creator type. Returns the weeks where it is not.
with

fct_creator_growth_weekly as (
    select
        week_start_date,
        creator_type,
        active_creators,
        active_creators_previous_week
    from {{ ref('fct_creator_growth_weekly') }}
),

weeks_paired as (
    select
        this_week.week_start_date,
        this_week.creator_type,
        this_week.active_creators_previous_week,
        last_week.active_creators as last_week_active_creators
    from fct_creator_growth_weekly as this_week
    inner join fct_creator_growth_weekly as last_week
        on
            this_week.creator_type = last_week.creator_type
            and last_week.week_start_date
            = cast({{ dbt.dateadd('day', -7, 'this_week.week_start_date') }} as date)
)

select * from weeks_paired
where active_creators_previous_week != last_week_active_creators
