{# Grain: one row per certified metric, day, allowed dimension (or 'total') and value. #}

{{
    config(
        materialized='incremental',
        unique_key='metric_date',
        partition_by=['metric_date'],
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
    )
}}

-- The relations the certified metrics read (metric_daily_sql fails the
-- build, naming the model, when one is missing here):
-- depends_on: {{ ref('fct_viewer_daily') }}
-- depends_on: {{ ref('fct_consumption_daily') }}
-- depends_on: {{ ref('fct_creator_daily') }}
-- depends_on: {{ ref('dim_content') }}
-- depends_on: {{ ref('dim_creators') }}
-- depends_on: {{ ref('fct_rewards_creator_daily') }}
-- depends_on: {{ ref('metric_time_spine_daily') }}
{{ validate_metric_governance() }}

{% set since = none %}
{% if is_incremental() %}
    {#- Days are replaced from the lookback before the oldest last day of any
        metric: offset and cumulative metrics have rows past the last logged
        day, so this table's overall last day is not the data's. -#}
    {% set last_days = '(select min(last_day) as last_day from (select max(metric_date)'
        ~ ' as last_day from ' ~ this ~ ' group by metric_name) as by_metric) as oldest' %}
    {% set since = incremental_since('last_day', relation=last_days) %}
{% endif %}

{{ metric_daily_sql(since) }}

select {{ partition_write_hint() }} * from metric_values
{% if since is not none %}
    where metric_date >= {{ since }}
{% endif %}
