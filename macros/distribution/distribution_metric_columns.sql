{#- The delivery measures and ratios shared by fct_distribution_daily and
    fct_distribution_daily_total, selected from their CTEs
    impressions_aggregated, exposure_concentration and live_posts. -#}
{% macro distribution_metric_columns() -%}
        impressions_aggregated.impression_count,
        impressions_aggregated.view_count,
        impressions_aggregated.view_count
        / cast(nullif(impressions_aggregated.impression_count, 0) as double)
            as view_through_rate,
        impressions_aggregated.watch_ms,
        impressions_aggregated.watch_ms
        / cast(nullif(impressions_aggregated.impression_count, 0) as double)
            as watch_ms_per_impression,
        impressions_aggregated.completed_view_count,
        impressions_aggregated.completed_view_count
        / cast(nullif(impressions_aggregated.view_count, 0) as double) as completion_rate,
        exposure_concentration.exposed_creator_count,
        exposure_concentration.creator_impression_gini,
        exposure_concentration.top_1pct_creator_count,
        exposure_concentration.top_1pct_creator_impression_share,
        impressions_aggregated.new_creator_impression_count,
        impressions_aggregated.new_creator_impression_count
        / cast(nullif(impressions_aggregated.impression_count, 0) as double)
            as new_creator_impression_share,
        impressions_aggregated.pgc_impression_count,
        impressions_aggregated.pgc_impression_count
        / cast(nullif(impressions_aggregated.impression_count, 0) as double)
            as pgc_impression_share,
        impressions_aggregated.shown_post_count,
        live_posts.live_post_count,
        impressions_aggregated.shown_post_count
        / cast(nullif(live_posts.live_post_count, 0) as double) as catalogue_coverage
{%- endmacro %}
