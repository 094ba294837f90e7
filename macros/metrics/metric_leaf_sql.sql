{#
    The query of a metric's leaf table: one row per day and combination of
    the metric's allowed dimensions (each as text, null as '(null)'), with
    the metric's numerator (its value, unless a ratio) and, for ratios, its
    denominator, aggregated over its semantic model's relation as
    metric_daily does; dimensions of other semantic models are reached by
    the same one-hop joins on their entity (dimension_join). {'sql', 'reason'}: `sql` is none, and `reason` says
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
    {% set source = lookup.semantic_models[models[0]] %}
    {% set measure = (lookup.measures.values() | selectattr('semantic_model', 'equalto', models[0]) | list)[0] %}
    {#- Spelled `string`, which DuckDB and Spark both read: leaf_sql is the same
        text whichever engine built the catalogue, and `pgc` runs it with
        DuckDB on either build. -#}
    {% set string_type = 'string' %}
    {% set groups = [] %}
    {% set columns = [] %}
    {# One left join per entity the dimensions are reached through, keeping only its key and those dimensions. #}
    {% set joins = {} %}
    {% for dimension in dimensions %}
        {% set reached = dimension_join(dimension, models[0], lookup) %}
        {% if reached.reason %}
            {{ return({'sql': none, 'reason': reached.reason}) }}
        {% endif %}
        {% if reached.join %}
            {% set alias = lookup.dimensions[dimension].entity ~ '_dimensions' %}
            {% if alias not in joins %}
                {% do joins.update({alias: {'join': reached.join, 'columns': []}}) %}
            {% endif %}
            {% do joins[alias].columns.append(reached.expr ~ ' as ' ~ dimension) %}
            {% set value = alias ~ '.' ~ dimension %}
        {% else %}
            {% set value = reached.expr %}
        {% endif %}
        {% set expression = "coalesce(cast(" ~ value ~ " as " ~ string_type ~ "), '(null)')" %}
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
    {% set join_sql = [] %}
    {% for alias, spec in joins.items() %}
        {% do join_sql.append(' left join (select ' ~ spec.join.dimension_key ~ ' as join_key, '
            ~ spec.columns | join(', ') ~ ' from ' ~ spec.join.relation ~ ') as ' ~ alias ~ ' on '
            ~ spec.join.source_key ~ ' = ' ~ alias ~ '.join_key') %}
    {% endfor %}
    {{ return({'sql': 'select ' ~ columns | join(', ') ~ ' from ' ~ source.relation ~ join_sql | join('')
        ~ ' group by ' ~ groups | join(', '), 'reason': none}) }}
{% endmacro %}
