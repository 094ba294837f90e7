{#
    A metric's formula in words and in SQL terms, from its definition:
    {'words': ..., 'sql': ...}. Simple metrics show the aggregate over the
    mart they read; other types are written in terms of their input metrics.
#}
{% macro metric_formula(metric, lookup) %}
    {% set params = metric.type_params %}
    {% set agg_names = {'sum': 'sum', 'count_distinct': 'count of distinct'} %}
    {% if metric.type == 'simple' %}
        {% set measure = lookup.measures[params.measure.name] %}
        {% set agg_words = agg_names.get(measure.agg, measure.agg) %}
        {% set words = agg_words ~ " of " ~ measure.expr ~ " over the rows of " ~ measure.model_name
            ~ ", per " ~ measure.time_expr %}
        {% set sql = "select " ~ measure.time_expr ~ ", " ~ measure_aggregate_sql(measure)
            ~ " from " ~ measure.model_name ~ " group by " ~ measure.time_expr %}
    {% elif metric.type == 'ratio' %}
        {% set words = params.numerator.name ~ " divided by " ~ params.denominator.name ~ ", per day and slice" %}
        {% set sql = params.numerator.name ~ " / nullif(" ~ params.denominator.name ~ ", 0)" %}
    {% elif metric.type == 'derived' %}
        {% set parts = [] %}
        {% for input in params.metrics %}
            {% if input.offset_window %}
                {% do parts.append((input.alias or input.name) ~ " = " ~ input.name ~ " "
                    ~ input.offset_window.count ~ " " ~ input.offset_window.granularity ~ "(s) earlier") %}
            {% endif %}
        {% endfor %}
        {% set words = "derived from " ~ (metric_inputs(metric, lookup) | join(', '))
            ~ ((", where " ~ parts | join('; ')) if parts else "") %}
        {% set sql = params.expr %}
    {% elif metric.type == 'cumulative' %}
        {% set measure = lookup.measures[params.measure.name] %}
        {% set window = params.cumulative_type_params.window %}
        {% set words = agg_names.get(measure.agg, measure.agg) ~ " of " ~ measure.expr ~ " over " ~ measure.model_name ~ " in the "
            ~ window.count ~ " " ~ window.granularity ~ "(s) ending each day" %}
        {% set sql = measure_aggregate_sql(measure) ~ " over rows with " ~ measure.time_expr
            ~ " between day - " ~ (window.count - 1) ~ " and day" %}
    {% elif metric.type == 'conversion' %}
        {% set conversion = params.conversion_type_params %}
        {% set window = conversion.window %}
        {% set words = "share of " ~ conversion.base_measure.name ~ " events followed by a "
            ~ conversion.conversion_measure.name ~ " event of the same " ~ conversion.entity
            ~ " within " ~ window.count ~ " " ~ window.granularity ~ "(s)" %}
        {% set sql = "count(distinct converted " ~ conversion.entity ~ ") / nullif(count(distinct base "
            ~ conversion.entity ~ "), 0)" %}
    {% else %}
        {% set words = metric.type ~ " metric" %}
        {% set sql = none %}
    {% endif %}
    {{ return({'words': words, 'sql': sql}) }}
{% endmacro %}
