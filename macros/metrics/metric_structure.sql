{#
    A metric's definition as structured fields for programs that read the
    catalogue instead of parsing SQL: the ratio's numerator and denominator
    metrics; for a derived metric that is a positive constant times one
    input metric (a unit conversion), that metric and the factor; for simple
    and cumulative metrics the measure, its aggregation and expression; and
    the semantic model, relation and time column when every measure the
    metric reads comes from one semantic model.
#}
{% macro metric_structure(metric, lookup) %}
    {% set params = metric.type_params %}
    {% set structure = {
        'numerator_metric': none, 'denominator_metric': none, 'scaled_metric': none,
        'scale_factor': none, 'measure_name': none, 'measure_agg': none, 'measure_expr': none,
        'semantic_model': none, 'source_relation': none, 'time_column': none,
    } %}
    {% if metric.type in ('simple', 'cumulative') %}
        {% set measure = lookup.measures[params.measure.name] %}
        {% do structure.update({'measure_name': params.measure.name, 'measure_agg': measure.agg,
            'measure_expr': measure.expr}) %}
    {% elif metric.type == 'ratio' %}
        {% do structure.update({'numerator_metric': params.numerator.name,
            'denominator_metric': params.denominator.name}) %}
    {% elif metric.type == 'derived' and params.metrics | length == 1 %}
        {% set input = params.metrics[0] %}
        {% set name = input.alias or input.name %}
        {% set number = '([0-9]+(?:\\.[0-9]*)?)' %}
        {% set scaled = modules.re.fullmatch('\\s*' ~ name ~ '\\s*([*/])\\s*' ~ number ~ '\\s*', params.expr) %}
        {% set leading = modules.re.fullmatch('\\s*' ~ number ~ '\\s*\\*\\s*' ~ name ~ '\\s*', params.expr) %}
        {% if not input.offset_window and not input.offset_to_grain and not input.filter %}
            {% if scaled and scaled.group(2) | float > 0 %}
                {% set constant = scaled.group(2) | float %}
                {% do structure.update({'scaled_metric': input.name,
                    'scale_factor': 1 / constant if scaled.group(1) == '/' else constant}) %}
            {% elif leading and leading.group(1) | float > 0 %}
                {% do structure.update({'scaled_metric': input.name,
                    'scale_factor': leading.group(1) | float}) %}
            {% endif %}
        {% endif %}
    {% endif %}
    {% set models = [] %}
    {% for input_measure in params.input_measures %}
        {% set measure = lookup.measures[input_measure.name] %}
        {% if measure.semantic_model not in models %}
            {% do models.append(measure.semantic_model) %}
            {% do structure.update({'source_relation': measure.relation,
                'time_column': measure.time_expr}) %}
        {% endif %}
    {% endfor %}
    {% if models | length == 1 %}
        {% do structure.update({'semantic_model': models[0]}) %}
    {% else %}
        {% do structure.update({'source_relation': none, 'time_column': none}) %}
    {% endif %}
    {{ return(structure) }}
{% endmacro %}
