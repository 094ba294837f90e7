{# Grain: one row per certified metric, day, allowed dimension (or 'total') and value. #}
-- The relations the certified metrics read (metric_daily_sql fails the
-- build, naming the model, when one is missing here):
-- depends_on: {{ ref('fct_viewer_daily') }}
-- depends_on: {{ ref('fct_creator_daily') }}
-- depends_on: {{ ref('dim_content') }}
-- depends_on: {{ ref('dim_creators') }}
-- depends_on: {{ ref('fct_distribution_daily') }}
-- depends_on: {{ ref('fct_rewards_creator_daily') }}
-- depends_on: {{ ref('metric_time_spine_daily') }}
{{ validate_metric_governance() }}

{{ metric_daily_sql() }}

select * from metric_values
