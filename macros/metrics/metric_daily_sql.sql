{#
    The body of metric_daily, generated from the semantic definitions: for each
    semantic model and grouping (the whole day, or one allowed dimension) one
    CTE aggregates every measure the certified metrics need, then one select
    per metric and grouping reads it, its value written by metric_value_sql
    (across two semantic models, a full outer join on date and value). Only
    certified metrics are computed (validate_metric_governance makes sure
    metric_daily can compute them: metric_daily_blocker).
#}
{% macro metric_daily_sql() %}
    {% set lookup = semantic_lookup() %}
    {% set string_type = dbt.type_string() %}
    {% set groups = {} %}
    {% set metric_selects = [] %}
    {% set certified = [] %}
    {% for metric in lookup.metrics.values() | sort(attribute='name')
        if (metric.config.meta or {}).get('status') == 'certified' %}
        {% do certified.append(metric) %}
    {% endfor %}

    {# Which measures each (semantic model, grouping) CTE must aggregate. #}
    {% for metric in certified %}
        {% for grouping in ['total'] + (metric.config.meta.allowed_dimensions or []) %}
            {% for measure_input in metric.type_params.input_measures %}
                {% set measure = lookup.measures[measure_input.name] %}
                {% set cte = measure.semantic_model ~ '__by_' ~ (grouping.split('__')[-1]) %}
                {% if cte not in groups %}
                    {% do groups.update({cte: {'measure': measure, 'grouping': grouping, 'measures': []}}) %}
                {% endif %}
                {% if measure_input.name not in groups[cte].measures %}
                    {% do groups[cte].measures.append(measure_input.name) %}
                {% endif %}
            {% endfor %}
        {% endfor %}
    {% endfor %}

    {% set model_ids = model.depends_on.nodes if model is mapping else [] %}
    {% set ctes = [] %}
    {% for cte, group in groups.items() | sort %}
        {% if group.measure.model_id not in model_ids %}
            {{ exceptions.raise_compiler_error(
                "metric_daily reads '" ~ group.measure.model_name ~ "': add `-- depends_on: {{ ref('"
                ~ group.measure.model_name ~ "') }}` to models/metrics/metric_daily.sql") }}
        {% endif %}
        {% set date_sql = 'cast(' ~ group.measure.time_expr ~ ' as date)' %}
        {% if group.grouping == 'total' %}
            {% set value_sql = "cast('total' as " ~ string_type ~ ")" %}
            {% set group_by = date_sql %}
        {% else %}
            {% set value_sql = "coalesce(cast(" ~ lookup.dimensions[group.grouping].expr
                ~ " as " ~ string_type ~ "), '(null)')" %}
            {% set group_by = date_sql ~ ', ' ~ value_sql %}
        {% endif %}
        {% set columns = [date_sql ~ ' as metric_date', value_sql ~ ' as dimension_value'] %}
        {% for name in group.measures %}
            {% do columns.append(measure_aggregate_sql(lookup.measures[name]) ~ ' as ' ~ name) %}
        {% endfor %}
        {% do ctes.append(cte ~ ' as (\n    select\n        ' ~ columns | join(',\n        ')
            ~ '\n    from ' ~ ref(group.measure.model_name) ~ '\n    group by ' ~ group_by ~ '\n)') %}
    {% endfor %}

    {% for metric in certified %}
        {% for grouping in ['total'] + (metric.config.meta.allowed_dimensions or []) %}
            {% set value = metric_value_sql(metric, lookup, '__by_' ~ grouping.split('__')[-1]) %}
            {% set first = value.ctes[0] %}
            {% if value.ctes | length == 1 %}
                {% set keys = first ~ '.metric_date, ' ~ first ~ '.dimension_value' %}
                {% set from_sql = first %}
            {% else %}
                {# Like MetricFlow: a full outer join of the two aggregates on date and slice. #}
                {% set second = value.ctes[1] %}
                {% set keys = 'coalesce(' ~ first ~ '.metric_date, ' ~ second ~ '.metric_date) as metric_date, '
                    ~ 'coalesce(' ~ first ~ '.dimension_value, ' ~ second ~ '.dimension_value) as dimension_value' %}
                {% set from_sql = first ~ ' full outer join ' ~ second ~ ' on ' ~ first ~ '.metric_date = '
                    ~ second ~ '.metric_date and ' ~ first ~ '.dimension_value = ' ~ second ~ '.dimension_value' %}
            {% endif %}
            {% do metric_selects.append('select ' ~ keys ~ ", cast('" ~ metric.name ~ "' as " ~ string_type
                ~ ") as metric_name, cast('" ~ grouping ~ "' as " ~ string_type ~ ") as dimension_name, "
                ~ value.sql ~ ' as value, ' ~ (value.numerator or 'cast(null as double)') ~ ' as numerator, '
                ~ (value.denominator or 'cast(null as double)') ~ ' as denominator from ' ~ from_sql) %}
        {% endfor %}
    {% endfor %}

    {% if not ctes %}
        {# While parsing: a typed empty result. #}
        {{ return("with metric_values as (select cast(null as date) as metric_date, cast(null as " ~ string_type
            ~ ") as metric_name, cast(null as " ~ string_type ~ ") as dimension_name, cast(null as "
            ~ string_type ~ ") as dimension_value, cast(null as double) as value, cast(null as double) "
            ~ "as numerator, cast(null as double) as denominator where 1 = 0)") }}
    {% endif %}
    {{ return('with ' ~ ctes | join(',\n\n') ~ ',\n\nmetric_values as (\n' ~ metric_selects | join('\nunion all\n') ~ '\n)') }}
{% endmacro %}
