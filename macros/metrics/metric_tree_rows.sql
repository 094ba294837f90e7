{#
    One `select` of literals per metric (union all) with its parent, relation
    and depth below the north star, from each metric's config.meta. While
    parsing (no graph) a typed empty row set. validate_metric_governance checks
    the tree (one root, parents exist, no cycles) before this runs.
#}
{% macro metric_tree_rows() %}
    {% set lookup = semantic_lookup() %}
    {% set string_type = dbt.type_string() %}
    {% set selects = [] %}
    {% for metric in lookup.metrics.values() | sort(attribute='name') %}
        {% set meta = metric.config.meta or {} %}
        {% set path = [metric.name] %}
        {% for _ in range(lookup.metrics | length) %}
            {% set parent = (lookup.metrics[path[-1]].config.meta or {}).get('parent') %}
            {% if parent is not none and parent in lookup.metrics and parent not in path %}
                {% do path.append(parent) %}
            {% endif %}
        {% endfor %}
        {% do selects.append('select cast(' ~ sql_string_literal(metric.name) ~ ' as ' ~ string_type
            ~ ') as metric_name, cast(' ~ sql_string_literal(meta.parent) ~ ' as ' ~ string_type
            ~ ') as parent_metric, cast(' ~ sql_string_literal(meta.relation) ~ ' as ' ~ string_type
            ~ ') as relation, cast(' ~ sql_string_literal(meta.tier) ~ ' as ' ~ string_type
            ~ ') as tier, cast(' ~ sql_string_literal(meta.status) ~ ' as ' ~ string_type
            ~ ') as status, cast(' ~ (path | length - 1) ~ ' as integer) as depth, cast('
            ~ sql_string_literal(path | reverse | join(' > ')) ~ ' as ' ~ string_type ~ ') as tree_path') %}
    {% endfor %}
    {% if not selects %}
        {{ return('select cast(null as ' ~ string_type ~ ') as metric_name, cast(null as ' ~ string_type
            ~ ') as parent_metric, cast(null as ' ~ string_type ~ ') as relation, cast(null as '
            ~ string_type ~ ') as tier, cast(null as ' ~ string_type ~ ') as status, cast(null as integer) '
            ~ 'as depth, cast(null as ' ~ string_type ~ ') as tree_path where 1 = 0') }}
    {% endif %}
    {{ return(selects | join('\nunion all\n')) }}
{% endmacro %}
