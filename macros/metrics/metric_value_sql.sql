{#
    A metric's value as a SQL expression over the measure columns of
    metric_daily's aggregate CTEs (`<semantic model><cte_suffix>.<measure>`):
    a simple metric is its measure as double, a derived metric its `expr` with
    each input replaced by that input's expression, a ratio its numerator's
    over its denominator's. Returns {'sql', 'numerator', 'denominator', 'ctes'}.
#}
{% macro metric_value_sql(metric, lookup, cte_suffix) %}
    {% set params = metric.type_params %}
    {% set ctes = [] %}
    {% if metric.type == 'simple' %}
        {% set cte = lookup.measures[params.measure.name].semantic_model ~ cte_suffix %}
        {% do ctes.append(cte) %}
        {{ return({'sql': 'cast(' ~ cte ~ '.' ~ params.measure.name ~ ' as double)', 'ctes': ctes,
            'numerator': none, 'denominator': none}) }}
    {% elif metric.type == 'ratio' %}
        {% set numerator = metric_value_sql(lookup.metrics[params.numerator.name], lookup, cte_suffix) %}
        {% set denominator = metric_value_sql(lookup.metrics[params.denominator.name], lookup, cte_suffix) %}
        {% for cte in numerator.ctes + denominator.ctes if cte not in ctes %}
            {% do ctes.append(cte) %}
        {% endfor %}
        {{ return({'sql': numerator.sql ~ ' / nullif(' ~ denominator.sql ~ ', 0)', 'ctes': ctes,
            'numerator': numerator.sql, 'denominator': denominator.sql}) }}
    {% else %}
        {# Derived: substitute each input (by alias or name) token by token. #}
        {% set inputs = {} %}
        {% for input in params.metrics %}
            {% set value = metric_value_sql(lookup.metrics[input.name], lookup, cte_suffix) %}
            {% do inputs.update({input.alias or input.name: '(' ~ value.sql ~ ')'}) %}
            {% for cte in value.ctes if cte not in ctes %}
                {% do ctes.append(cte) %}
            {% endfor %}
        {% endfor %}
        {% set tokens = modules.re.split('([A-Za-z_][A-Za-z0-9_]*)', params.expr) %}
        {% set parts = [] %}
        {% for token in tokens %}
            {% do parts.append(inputs.get(token, token)) %}
        {% endfor %}
        {{ return({'sql': '(' ~ parts | join('') ~ ')', 'ctes': ctes, 'numerator': none,
            'denominator': none}) }}
    {% endif %}
{% endmacro %}
