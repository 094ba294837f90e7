{#
    The metrics a metric is computed from: a ratio's numerator and denominator,
    a derived metric's inputs, and for cumulative and conversion metrics the
    simple metrics over the measures they read.
#}
{% macro metric_inputs(metric, lookup) %}
    {% set inputs = [] %}
    {% set params = metric.type_params %}
    {% if metric.type == 'ratio' %}
        {% do inputs.append(params.numerator.name) %}
        {% do inputs.append(params.denominator.name) %}
    {% elif metric.type == 'derived' %}
        {% for input in params.metrics if input.name not in inputs %}
            {% do inputs.append(input.name) %}
        {% endfor %}
    {% elif metric.type in ('cumulative', 'conversion') %}
        {% set measure_names = params.input_measures | map(attribute='name') | list %}
        {% for other in lookup.metrics.values() %}
            {% if other.type == 'simple' and other.type_params.measure.name in measure_names %}
                {% do inputs.append(other.name) %}
            {% endif %}
        {% endfor %}
    {% endif %}
    {{ return(inputs) }}
{% endmacro %}
