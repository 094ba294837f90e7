{# Every metric a metric depends on, directly or through other metrics. #}
{% macro metric_input_closure(metric, lookup, seen=none) %}
    {% set seen = seen if seen is not none else [] %}
    {% for name in metric_inputs(metric, lookup) if name not in seen %}
        {% do seen.append(name) %}
        {% if name in lookup.metrics %}
            {% do metric_input_closure(lookup.metrics[name], lookup, seen) %}
        {% endif %}
    {% endfor %}
    {{ return(seen) }}
{% endmacro %}
