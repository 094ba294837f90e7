{#- Select of the posts live on each date: one row per date with live_post_count,
    from a relation with one row per date (column `date_column`) and one with one
    row per post (published_at). "Live" follows the simulator's shelf life: posts
    published up to the end of the day and on or after the day
    `var('content_shelf_life_days', 30)` days before (the recommender samples
    from published_day >= day - 30, so 31 publication days are live). -#}
{% macro count_live_posts(dates_relation, posts_relation, date_column) -%}
    select
        {{ dates_relation }}.{{ date_column }},
        count({{ posts_relation }}.content_id) as live_post_count
    from {{ dates_relation }}
    left join {{ posts_relation }}
        on
            {{ posts_relation }}.published_at
            < {{ dbt.dateadd('day', 1, dates_relation ~ '.' ~ date_column) }}
            and {{ posts_relation }}.published_at >= {{ dbt.dateadd(
                'day', -var('content_shelf_life_days', 30), dates_relation ~ '.' ~ date_column
            ) }}
    group by {{ dates_relation }}.{{ date_column }}
{%- endmacro %}
