{#
    A metric's value as one aggregate over the rows of its semantic model's
    relation, for leaf tables: {'sql', 'semantic_models', 'reason'}. Simple
    metrics are their measure's aggregate; derived metrics without offsets or
    filtered inputs substitute their inputs' aggregates into `expr`. Anything
    else (cumulative, conversion, offsets, filters) has no single aggregate:
    `sql` is none and `reason` says why.
#}
{% macro metric_leaf_aggregate(metric, lookup) %}
    {% set params = metric.type_params %}
    {% if metric.filter %}
        {{ return({'sql': none, 'semantic_models': [],
            'reason': "metric '" ~ metric.name ~ "' has a filter"}) }}
    {% endif %}
    {% if metric.type == 'simple' %}
        {% set measure = lookup.measures[params.measure.name] %}
        {% if measure.agg not in ('sum', 'count_distinct') %}
            {{ return({'sql': none, 'semantic_models': [], 'reason': "measure '"
                ~ params.measure.name ~ "' aggregates by " ~ measure.agg}) }}
        {% endif %}
        {{ return({'sql': measure_aggregate_sql(measure), 'semantic_models': [measure.semantic_model],
            'reason': none}) }}
    {% elif metric.type == 'derived' %}
        {% set inputs = {} %}
        {% set models = [] %}
        {% for input in params.metrics %}
            {% if input.offset_window or input.offset_to_grain or input.filter %}
                {{ return({'sql': none, 'semantic_models': [], 'reason': "metric '" ~ metric.name
                    ~ "' uses an offset or filtered input"}) }}
            {% endif %}
            {% set inner = metric_leaf_aggregate(lookup.metrics[input.name], lookup) %}
            {% if inner.sql is none %}
                {{ return(inner) }}
            {% endif %}
            {% do inputs.update({input.alias or input.name: '(' ~ inner.sql ~ ')'}) %}
            {% for name in inner.semantic_models if name not in models %}
                {% do models.append(name) %}
            {% endfor %}
        {% endfor %}
        {% set parts = [] %}
        {% for token in modules.re.split('([A-Za-z_][A-Za-z0-9_]*)', params.expr) %}
            {% do parts.append(inputs.get(token, token)) %}
        {% endfor %}
        {{ return({'sql': parts | join(''), 'semantic_models': models, 'reason': none}) }}
    {% endif %}
    {{ return({'sql': none, 'semantic_models': [], 'reason': "metric '" ~ metric.name ~ "' is "
        ~ metric.type ~ ": no single aggregate per leaf"}) }}
{% endmacro %}
