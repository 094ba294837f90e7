{#
    One `select` of literals per metric (union all), from the dbt graph: the
    body of metric_catalogue. While parsing (no graph) a typed empty row set.
#}
{% macro metric_catalogue_rows() %}
    {% set lookup = semantic_lookup() %}
    {% set rows = [] %}
    {% for metric in lookup.metrics.values() | sort(attribute='name') %}
        {% set meta = metric.config.meta or {} %}
        {% set formula = metric_formula(metric, lookup) %}
        {% set structure = metric_structure(metric, lookup) %}
        {% set leaf = metric_leaf_sql(metric, lookup) %}
        {% do rows.append({
            'metric_name': metric.name,
            'metric_label': metric.label,
            'description': metric.description,
            'metric_type': metric.type,
            'formula_in_words': formula.words,
            'formula_sql': formula.sql,
            'owner': meta.owner,
            'owner_group': metric.config.group,
            'tier': meta.tier,
            'status': meta.status,
            'direction': meta.direction,
            'unit': meta.unit,
            'value_format': meta.format,
            'allowed_dimensions': meta.allowed_dimensions or [],
            'parent_metric': meta.parent,
            'parent_relation': meta.relation,
            'input_metrics': metric_inputs(metric, lookup) | join(',') or none,
            'upstream_models': metric_upstream_models(metric, lookup) | join(','),
            'defined_in': metric.original_file_path,
            'last_changed': meta.last_changed,
            'is_additive': metric.type == 'simple'
                and lookup.measures[metric.type_params.measure.name].agg == 'sum',
            'leaf_sql': leaf.sql,
            'leaf_sql_note': leaf.reason,
            'is_guardrail': meta.guardrail is sameas true,
        }) %}
        {% do rows[-1].update(structure) %}
    {% endfor %}
    {# Column order and kind: text unless named otherwise. #}
    {% set columns = [
        'metric_name', 'metric_label', 'description', 'metric_type', 'formula_in_words',
        'formula_sql', 'owner', 'owner_group', 'tier', 'status', 'direction', 'unit',
        'value_format', ('allowed_dimensions', 'list'), 'parent_metric', 'parent_relation',
        'input_metrics', 'upstream_models', 'defined_in', ('last_changed', 'date'),
        ('is_additive', 'boolean'), 'numerator_metric', 'denominator_metric', 'scaled_metric',
        ('scale_factor', 'double'), 'measure_name', 'measure_agg', 'measure_expr',
        'semantic_model', 'source_relation', 'time_column', 'leaf_sql', 'leaf_sql_note',
        ('is_guardrail', 'boolean'),
    ] %}
    {% set selects = [] %}
    {% for row in rows or [{}] %}
        {% set values = [] %}
        {% for column in columns %}
            {% set name, kind = (column, 'text') if column is string else column %}
            {% set value = row.get(name) %}
            {% if kind == 'list' %}
                {% set items = [] %}
                {% for item in value or [] %}
                    {% do items.append(sql_string_literal(item)) %}
                {% endfor %}
                {% do values.append(dbt.array_construct(items, dbt.type_string()) ~ ' as ' ~ name) %}
            {% elif kind == 'date' %}
                {% do values.append('cast(' ~ sql_string_literal(value) ~ ' as date) as ' ~ name ~ '_date') %}
            {% elif kind == 'boolean' %}
                {% do values.append(('true' if value else 'false') ~ ' as ' ~ name) %}
            {% elif kind == 'double' %}
                {% do values.append('cast(' ~ (value if value is not none else 'null') ~ ' as double) as ' ~ name) %}
            {% else %}
                {% do values.append('cast(' ~ sql_string_literal(value) ~ ' as ' ~ dbt.type_string() ~ ') as ' ~ name) %}
            {% endif %}
        {% endfor %}
        {% do selects.append('select ' ~ values | join(', ') ~ ('' if rows else ' where 1 = 0')) %}
    {% endfor %}
    {{ return(selects | join('\nunion all\n')) }}
{% endmacro %}
