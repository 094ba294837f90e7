{#
    How rows of `semantic_model` reach dimension `dimension_name`
    (`<entity>__<dimension>`), as MetricFlow joins them: a dimension of the
    semantic model itself is a column expression of its rows; a dimension of
    another semantic model whose primary entity this one names as an entity
    is reached by a left join on that entity (one hop, many rows to one).
    Returns {'expr', 'join'}: `join` is none for a local dimension, else
    {'model_name', 'relation', 'dimension_key', 'source_key'}: the dimension
    model, its key column expression and this model's. `reason` instead when
    the dimension cannot be reached.
#}
{% macro dimension_join(dimension_name, semantic_model, lookup) %}
    {% set dimension = lookup.dimensions.get(dimension_name) %}
    {% if dimension is none %}
        {{ return({'reason': "no semantic model defines dimension '" ~ dimension_name ~ "'"}) }}
    {% endif %}
    {% if dimension.semantic_model == semantic_model %}
        {{ return({'expr': dimension.expr, 'join': none}) }}
    {% endif %}
    {% set source = lookup.semantic_models[semantic_model] %}
    {% set target = lookup.semantic_models[dimension.semantic_model] %}
    {% if dimension.entity not in source.entities %}
        {{ return({'reason': "dimension '" ~ dimension_name ~ "' is reached through entity '"
            ~ dimension.entity ~ "', which semantic model '" ~ semantic_model ~ "' does not have"}) }}
    {% endif %}
    {{ return({'expr': dimension.expr, 'join': {
        'model_name': target.model_name,
        'relation': target.relation,
        'dimension_key': target.entities[dimension.entity],
        'source_key': source.entities[dimension.entity],
    }}) }}
{% endmacro %}
