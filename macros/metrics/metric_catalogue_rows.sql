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
            'allowed_dimensions': (meta.allowed_dimensions or []) | join(',') or none,
            'parent_metric': meta.parent,
            'parent_relation': meta.relation,
            'input_metrics': metric_inputs(metric, lookup) | join(',') or none,
            'upstream_models': metric_upstream_models(metric, lookup) | join(','),
            'defined_in': metric.original_file_path,
            'last_changed': meta.last_changed,
            'is_additive': metric.type == 'simple'
                and lookup.measures[metric.type_params.measure.name].agg == 'sum',
        }) %}
    {% endfor %}
    {% set columns = [
        'metric_name', 'metric_label', 'description', 'metric_type', 'formula_in_words',
        'formula_sql', 'owner', 'owner_group', 'tier', 'status', 'direction', 'unit',
        'value_format', 'allowed_dimensions', 'parent_metric', 'parent_relation',
        'input_metrics', 'upstream_models', 'defined_in',
    ] %}
    {% set selects = [] %}
    {% for row in rows or [{}] %}
        {% set values = [] %}
        {% for column in columns %}
            {% do values.append('cast(' ~ sql_string_literal(row.get(column)) ~ ' as '
                ~ dbt.type_string() ~ ') as ' ~ column) %}
        {% endfor %}
        {% do values.append('cast(' ~ sql_string_literal(row.get('last_changed')) ~ ' as date) as last_changed_date') %}
        {% do values.append(('true' if row.get('is_additive') else 'false') ~ ' as is_additive') %}
        {% do selects.append('select ' ~ values | join(', ') ~ ('' if rows else ' where 1 = 0')) %}
    {% endfor %}
    {{ return(selects | join('\nunion all\n')) }}
{% endmacro %}
