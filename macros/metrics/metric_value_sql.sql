{#
    A metric's value as a SQL expression over the measure columns of
    metric_daily's aggregate CTEs, and the CTEs it reads. A simple metric is
    its measure (as double); a ratio its numerator's over its denominator's; a
    derived metric its `expr` with each input (by alias or name) replaced by
    that input's expression, an input with an offset_window read from a CTE
    shifted by the offset; a cumulative metric its measure over a trailing
    window of the time spine; a conversion metric its converting entities
    (attributed to their latest base event in the window, as MetricFlow does)
    over its base events.
    Returns {'sql', 'numerator', 'denominator', 'ctes'}; each CTE is
    {'name', 'semantic_model', 'measure', 'base', 'shift', 'window'} (plus
    'conversion' for converted-entity counts).
#}
{% macro metric_value_sql(metric, lookup, cte_suffix) %}
    {% set params = metric.type_params %}
    {% set ctes = [] %}
    {% if metric.type in ('simple', 'cumulative') %}
        {% set measure = lookup.measures[params.measure.name] %}
        {% set base = measure.semantic_model ~ cte_suffix %}
        {% set window = params.cumulative_type_params.window if metric.type == 'cumulative' else none %}
        {% set name = base ~ ('__window_' ~ window.count ~ '_' ~ window.granularity if window else '') %}
        {% do ctes.append({'name': name, 'semantic_model': measure.semantic_model,
            'measure': params.measure.name, 'base': base, 'shift': none, 'window': window}) %}
        {{ return({'sql': 'cast(' ~ name ~ '.' ~ params.measure.name ~ ' as double)', 'ctes': ctes,
            'numerator': none, 'denominator': none}) }}
    {% elif metric.type == 'ratio' %}
        {% set numerator = metric_value_sql(lookup.metrics[params.numerator.name], lookup, cte_suffix) %}
        {% set denominator = metric_value_sql(lookup.metrics[params.denominator.name], lookup, cte_suffix) %}
        {% for cte in numerator.ctes + denominator.ctes if cte not in ctes %}
            {% do ctes.append(cte) %}
        {% endfor %}
        {{ return({'sql': numerator.sql ~ ' / nullif(' ~ denominator.sql ~ ', 0)', 'ctes': ctes,
            'numerator': numerator.sql, 'denominator': denominator.sql}) }}
    {% elif metric.type == 'derived' %}
        {# Substitute each input (by alias or name) token by token. #}
        {% set inputs = {} %}
        {% for input in params.metrics %}
            {% set value = metric_value_sql(lookup.metrics[input.name], lookup, cte_suffix) %}
            {% if input.offset_window %}
                {# The same aggregates, dated offset_window later (MetricFlow joins the spine). #}
                {% set shift = input.offset_window %}
                {% set shifted_ctes = [] %}
                {% set shifted_sql = namespace(sql=value.sql) %}
                {% for cte in value.ctes %}
                    {% set shifted = cte.name ~ '__shifted_' ~ shift.count ~ '_' ~ shift.granularity %}
                    {% do shifted_ctes.append({'name': shifted, 'semantic_model': cte.semantic_model,
                        'measure': cte.measure, 'base': cte.name, 'shift': shift, 'window': none}) %}
                    {% set shifted_sql.sql = shifted_sql.sql | replace(cte.name ~ '.', shifted ~ '.') %}
                {% endfor %}
                {% set value = {'sql': shifted_sql.sql, 'ctes': shifted_ctes} %}
            {% endif %}
            {% do inputs.update({input.alias or input.name: '(' ~ value.sql ~ ')'}) %}
            {% for cte in value.ctes if cte not in ctes %}
                {% do ctes.append(cte) %}
            {% endfor %}
        {% endfor %}
        {% set parts = [] %}
        {% for token in modules.re.split('([A-Za-z_][A-Za-z0-9_]*)', params.expr) %}
            {% do parts.append(inputs.get(token, token)) %}
        {% endfor %}
        {{ return({'sql': '(' ~ parts | join('') ~ ')', 'ctes': ctes, 'numerator': none,
            'denominator': none}) }}
    {% elif metric.type == 'conversion' %}
        {# Converting entities per base event's day and slice over base events (conversion_rate). #}
        {% set conversion = params.conversion_type_params %}
        {% set base_measure = lookup.measures[conversion.base_measure.name] %}
        {% set base = base_measure.semantic_model ~ cte_suffix %}
        {% set converted = base ~ '__converted_' ~ metric.name %}
        {% do ctes.append({'name': base, 'semantic_model': base_measure.semantic_model,
            'measure': conversion.base_measure.name, 'base': base, 'shift': none, 'window': none}) %}
        {% do ctes.append({'name': converted, 'semantic_model': base_measure.semantic_model,
            'measure': conversion.conversion_measure.name, 'base': base, 'shift': none, 'window': none,
            'conversion': conversion}) %}
        {% set numerator = 'cast(' ~ converted ~ '.' ~ conversion.conversion_measure.name ~ ' as double)' %}
        {% set denominator = 'cast(' ~ base ~ '.' ~ conversion.base_measure.name ~ ' as double)' %}
        {% if conversion.calculation == 'conversions' %}
            {{ return({'sql': numerator, 'ctes': ctes, 'numerator': none, 'denominator': none}) }}
        {% endif %}
        {{ return({'sql': numerator ~ ' / nullif(' ~ denominator ~ ', 0)', 'ctes': ctes,
            'numerator': numerator, 'denominator': denominator}) }}
    {% else %}
        {{ exceptions.raise_compiler_error(
            "metric_daily cannot compute " ~ metric.type ~ " metric '" ~ metric.name ~ "'") }}
    {% endif %}
{% endmacro %}
