{# The names of the models a metric reads, through its input metrics. #}
{% macro metric_upstream_models(metric, lookup) %}
    {% set models = [] %}
    {% for measure in metric.type_params.input_measures %}
        {% set model_name = lookup.measures[measure.name].model_name %}
        {% if model_name not in models %}
            {% do models.append(model_name) %}
        {% endif %}
    {% endfor %}
    {{ return(models | sort) }}
{% endmacro %}
