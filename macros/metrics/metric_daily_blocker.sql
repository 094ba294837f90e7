{#
    Why metric_daily cannot compute a metric, or '' when it can: it computes
    simple metrics, ratios and offset-free derived metrics whose inputs it can
    compute, over at most two semantic models. Certified metrics must be
    computable (validate_metric_governance).
#}
{% macro metric_daily_blocker(metric, lookup) %}
    {% set params = metric.type_params %}
    {% if metric.type not in ('simple', 'ratio', 'derived') %}
        {{ return("metric_daily cannot compute a " ~ metric.type ~ " metric") }}
    {% endif %}
    {% if metric.type == 'derived' %}
        {% for input in params.metrics if input.offset_window or input.offset_to_grain %}
            {{ return("metric_daily cannot compute a derived metric with an offset (input '"
                ~ input.name ~ "')") }}
        {% endfor %}
    {% endif %}
    {% for input in metric_inputs(metric, lookup) %}
        {% set reason = metric_daily_blocker(lookup.metrics[input], lookup) %}
        {% if reason %}
            {{ return("input '" ~ input ~ "': " ~ reason) }}
        {% endif %}
    {% endfor %}
    {% set semantic_models = [] %}
    {% for measure in params.input_measures %}
        {% set semantic_model = lookup.measures[measure.name].semantic_model %}
        {% if semantic_model not in semantic_models %}
            {% do semantic_models.append(semantic_model) %}
        {% endif %}
    {% endfor %}
    {% if semantic_models | length > 2 %}
        {{ return("metric_daily cannot join more than two semantic models ("
            ~ semantic_models | join(', ') ~ ")") }}
    {% endif %}
    {{ return('') }}
{% endmacro %}
