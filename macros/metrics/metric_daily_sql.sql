{#
    The body of metric_daily, generated from the semantic definitions: for each
    semantic model and grouping (the whole day, or one allowed dimension) one
    CTE aggregates every measure the certified metrics need, then one select
    per metric and grouping reads it (a ratio divides its numerator's measure
    by its denominator's; across two semantic models, a full outer join).
    Only certified metrics (simple or ratio, enforced by
    validate_metric_governance) are computed.
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
            {% set suffix = '__by_' ~ grouping.split('__')[-1] %}
            {% set labels = "cast('" ~ metric.name ~ "' as " ~ string_type ~ ") as metric_name, cast('"
                ~ grouping ~ "' as " ~ string_type ~ ") as dimension_name" %}
            {% if metric.type == 'simple' %}
                {% set measure_name = metric.type_params.measure.name %}
                {% set cte = lookup.measures[measure_name].semantic_model ~ suffix %}
                {% do metric_selects.append('select ' ~ cte ~ '.metric_date, ' ~ labels ~ ', '
                    ~ cte ~ '.dimension_value, cast(' ~ cte ~ '.' ~ measure_name ~ ' as double) as value, '
                    ~ 'cast(null as double) as numerator, cast(null as double) as denominator from ' ~ cte) %}
            {% else %}
                {% set numerator = lookup.metrics[metric.type_params.numerator.name].type_params.measure.name %}
                {% set denominator = lookup.metrics[metric.type_params.denominator.name].type_params.measure.name %}
                {% set numerator_cte = lookup.measures[numerator].semantic_model ~ suffix %}
                {% set denominator_cte = lookup.measures[denominator].semantic_model ~ suffix %}
                {% set numerator_sql = 'cast(' ~ numerator_cte ~ '.' ~ numerator ~ ' as double)' %}
                {% set denominator_sql = 'cast(' ~ denominator_cte ~ '.' ~ denominator ~ ' as double)' %}
                {% set values = numerator_sql ~ ' / nullif(' ~ denominator_sql ~ ', 0) as value, '
                    ~ numerator_sql ~ ' as numerator, ' ~ denominator_sql ~ ' as denominator' %}
                {% if numerator_cte == denominator_cte %}
                    {% do metric_selects.append('select ' ~ numerator_cte ~ '.metric_date, ' ~ labels ~ ', '
                        ~ numerator_cte ~ '.dimension_value, ' ~ values ~ ' from ' ~ numerator_cte) %}
                {% else %}
                    {# Like MetricFlow: a full outer join of the two aggregates on date and slice. #}
                    {% do metric_selects.append('select coalesce(' ~ numerator_cte ~ '.metric_date, '
                        ~ denominator_cte ~ '.metric_date) as metric_date, ' ~ labels ~ ', coalesce('
                        ~ numerator_cte ~ '.dimension_value, ' ~ denominator_cte ~ '.dimension_value) as dimension_value, '
                        ~ values ~ ' from ' ~ numerator_cte ~ ' full outer join ' ~ denominator_cte ~ ' on '
                        ~ numerator_cte ~ '.metric_date = ' ~ denominator_cte ~ '.metric_date and '
                        ~ numerator_cte ~ '.dimension_value = ' ~ denominator_cte ~ '.dimension_value') %}
                {% endif %}
            {% endif %}
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
