{#
    The project's semantic definitions as lookups, read from the dbt graph:
    semantic models by name (primary entity, entity exprs, model, relation),
    measures by name (with their semantic model's entity exprs and its
    relation as `schema.alias`, without the database, which is the file
    name on DuckDB and differs between copies of a warehouse), dimensions
    by their MetricFlow name (`<primary entity>__<dimension>`, with that
    entity), metrics by name. Empty while parsing.
#}
{% macro semantic_lookup() %}
    {% set measures = {} %}
    {% set dimensions = {} %}
    {% set metrics = {} %}
    {% set semantic_models = {} %}
    {% if execute %}
        {% for semantic_model in graph.semantic_models.values() %}
            {# A loop cannot reassign an outer variable in Jinja: use a namespace. #}
            {% set found = namespace(primary=semantic_model.primary_entity) %}
            {% for entity in semantic_model.entities if entity.type == 'primary' %}
                {% set found.primary = entity.name %}
            {% endfor %}
            {% set primary = found.primary %}
            {% set model_id = semantic_model.depends_on.nodes[0] %}
            {% set time_expr = {'expr': semantic_model.defaults.agg_time_dimension} %}
            {% for dimension in semantic_model.dimensions %}
                {% if dimension.name == semantic_model.defaults.agg_time_dimension %}
                    {% do time_expr.update({'expr': dimension.expr or dimension.name}) %}
                {% endif %}
                {% if dimension.type == 'categorical' %}
                    {% do dimensions.update({primary ~ '__' ~ dimension.name: {
                        'semantic_model': semantic_model.name,
                        'entity': primary,
                        'expr': dimension.expr or dimension.name,
                    }}) %}
                {% endif %}
            {% endfor %}
            {% set entity_exprs = {} %}
            {% for entity in semantic_model.entities %}
                {% do entity_exprs.update({entity.name: entity.expr or entity.name}) %}
            {% endfor %}
            {% set relation = semantic_model.node_relation.schema_name ~ '.'
                ~ semantic_model.node_relation.alias %}
            {% do semantic_models.update({semantic_model.name: {
                'primary_entity': primary,
                'entities': entity_exprs,
                'model_name': graph.nodes[model_id].name,
                'relation': relation,
            }}) %}
            {% for measure in semantic_model.measures %}
                {% do measures.update({measure.name: {
                    'entities': entity_exprs,
                    'semantic_model': semantic_model.name,
                    'model_id': model_id,
                    'model_name': graph.nodes[model_id].name,
                    'relation': relation,
                    'agg': measure.agg,
                    'expr': measure.expr or measure.name,
                    'time_expr': time_expr.expr,
                }}) %}
            {% endfor %}
        {% endfor %}
        {% for metric in graph.metrics.values() if metric.package_name == project_name %}
            {% do metrics.update({metric.name: metric}) %}
        {% endfor %}
    {% endif %}
    {{ return({'measures': measures, 'dimensions': dimensions, 'metrics': metrics,
        'semantic_models': semantic_models}) }}
{% endmacro %}
