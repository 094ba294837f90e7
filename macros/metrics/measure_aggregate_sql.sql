{# The SQL aggregate of a measure over its semantic model's rows, as MetricFlow computes it. #}
{% macro measure_aggregate_sql(measure) %}
    {% if measure.agg == 'sum' %}
        {{ return('sum(' ~ measure.expr ~ ')') }}
    {% elif measure.agg == 'count_distinct' %}
        {{ return('count(distinct ' ~ measure.expr ~ ')') }}
    {% else %}
        {{ exceptions.raise_compiler_error(
            "measure aggregation '" ~ measure.agg ~ "' is not supported by metric_daily") }}
    {% endif %}
{% endmacro %}
