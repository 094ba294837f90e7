{#
    The query of a metric's leaf table: one row per day and combination of
    the metric's allowed dimensions (each as text, null as '(null)'), with
    the metric's numerator (its value, unless a ratio) and, for ratios, its
    denominator, aggregated over its semantic model's relation as
    metric_daily does. {'sql', 'reason'}: `sql` is none, and `reason` says
    why, for metrics with no allowed dimensions, no single aggregate
    (metric_leaf_aggregate) or inputs from more than one semantic model.
    Readers filter on `metric_date`, a grouping key, so the filter reaches
    the scan.
#}
{% macro metric_leaf_sql(metric, lookup) %}
    {% set dimensions = (metric.config.meta or {}).get('allowed_dimensions') or [] %}
    {% if not dimensions %}
        {{ return({'sql': none, 'reason': "metric '" ~ metric.name ~ "' has no allowed dimensions"}) }}
    {% endif %}
    {% if metric.type == 'ratio' %}
        {% set numerator = metric_leaf_aggregate(lookup.metrics[metric.type_params.numerator.name], lookup) %}
        {% set denominator = metric_leaf_aggregate(lookup.metrics[metric.type_params.denominator.name], lookup) %}
    {% else %}
        {% set numerator = metric_leaf_aggregate(metric, lookup) %}
        {% set denominator = none %}
    {% endif %}
    {% for part in [numerator, denominator] if part is not none and part.sql is none %}
        {{ return({'sql': none, 'reason': part.reason}) }}
    {% endfor %}
    {% set models = numerator.semantic_models %}
    {% for name in (denominator.semantic_models if denominator else []) if name not in models %}
        {% set models = models + [name] %}
    {% endfor %}
    {% if models | length != 1 %}
        {{ return({'sql': none, 'reason': "metric '" ~ metric.name ~ "' reads more than one semantic model: "
            ~ models | join(', ')}) }}
    {% endif %}
    {% set measure = (lookup.measures.values() | selectattr('semantic_model', 'equalto', models[0]) | list)[0] %}
    {% set string_type = dbt.type_string() %}
    {% set groups = [] %}
    {% set columns = [] %}
    {% for dimension in dimensions %}
        {% set expression = "coalesce(cast(" ~ lookup.dimensions[dimension].expr ~ " as " ~ string_type
            ~ "), '(null)')" %}
        {% do groups.append(expression) %}
        {% do columns.append(expression ~ ' as ' ~ dimension) %}
    {% endfor %}
    {% set day = 'cast(' ~ measure.time_expr ~ ' as date)' %}
    {% do groups.append(day) %}
    {% do columns.append(day ~ ' as metric_date') %}
    {% do columns.append(numerator.sql ~ ' as numerator') %}
    {% if denominator %}
        {% do columns.append(denominator.sql ~ ' as denominator') %}
    {% endif %}
    {{ return({'sql': 'select ' ~ columns | join(', ') ~ ' from ' ~ measure.relation ~ ' group by '
        ~ groups | join(', '), 'reason': none}) }}
{% endmacro %}
