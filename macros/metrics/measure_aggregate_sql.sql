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

{#- Several measures (names in lookup.measures) aggregated in two steps, first
    per group of rows, then over the groups, with the results of
    `measure_aggregate_sql` over all the rows: {'keys': the group keys the
    measures add, 'partials': the first step's select list, 'totals': the
    second's, over the first step's rows named `relation`}. A sum is a sum of
    sums; a distinct count keeps its values as group keys and counts them. -#}
{% macro measure_rollups(measures, lookup, relation) %}
    {% set rollups = {'keys': [], 'partials': [], 'totals': []} %}
    {% for name in measures %}
        {% set measure = lookup.measures[name] %}
        {% set column = relation ~ '.' ~ name %}
        {% if measure.agg == 'sum' %}
            {% do rollups.partials.append('sum(' ~ measure.expr ~ ') as ' ~ name) %}
            {% do rollups.totals.append('sum(' ~ column ~ ') as ' ~ name) %}
        {% elif measure.agg == 'count_distinct' %}
            {% do rollups['keys'].append(measure.expr) %}
            {% do rollups.partials.append(measure.expr ~ ' as ' ~ name) %}
            {% do rollups.totals.append('count(distinct ' ~ column ~ ') as ' ~ name) %}
        {% else %}
            {#- Fails the build naming the aggregation, as metric_daily does. -#}
            {% do measure_aggregate_sql(measure) %}
        {% endif %}
    {% endfor %}
    {{ return(rollups) }}
{% endmacro %}
