{#
    The body of metric_daily, generated from the semantic definitions, ending
    in the CTE `metric_values`. For each semantic model and grouping (the
    whole day, or one allowed dimension) one CTE aggregates every measure the
    certified metrics need; offset inputs read a copy of it dated later, and
    cumulative metrics a CTE over a trailing window of the time spine. Then
    metric_value_sql gives each certified metric's value per grouping over
    one CTE or two (full-outer-joined on date and value, as MetricFlow does),
    and the metrics over the same CTEs share one select. Only certified
    metrics are computed;
    validate_metric_governance makes sure they can be (metric_daily_blocker).

    With `since` (a SQL date, on incremental runs) only the values of days
    from `since` on are needed: each source is read from the earliest day
    those values depend on (the longest offset before `since` for plain
    aggregates, the trailing window for cumulative ones), so the filters
    reach the table scans.
#}
{% macro metric_daily_sql(since=none) %}
    {% set lookup = semantic_lookup() %}
    {% set string_type = dbt.type_string() %}
    {% set specs = {} %}
    {% set selects_by_from = {} %}

    {% for metric in lookup.metrics.values() | sort(attribute='name')
        if (metric.config.meta or {}).get('status') == 'certified' %}
        {% for grouping in ['total'] + (metric.config.meta.allowed_dimensions or []) %}
            {% set value = metric_value_sql(metric, lookup, '__by_' ~ grouping) %}
            {# Register the CTEs this value reads, and the measures each needs. #}
            {% for cte in value.ctes %}
                {% for name in ([cte.name] if cte.get('conversion') else [cte.base, cte.name]) %}
                    {% if name not in specs %}
                        {% do specs.update({name: {
                            'semantic_model': cte.semantic_model, 'grouping': grouping, 'measures': [],
                            'base': cte.base if name != cte.base else none,
                            'shift': cte.shift if name != cte.base else none,
                            'window': cte.window if name != cte.base else none,
                            'conversion': cte.get('conversion') if name != cte.base else none,
                        }}) %}
                    {% endif %}
                    {% if cte.measure not in specs[name].measures %}
                        {% do specs[name].measures.append(cte.measure) %}
                    {% endif %}
                {% endfor %}
            {% endfor %}
            {% set first = value.ctes[0].name %}
            {% set second = (value.ctes | map(attribute='name') | reject('equalto', first) | list
                + [none])[0] %}
            {% if second is none %}
                {% set keys = first ~ '.metric_date, ' ~ first ~ '.dimension_value' %}
                {% set from_sql = first %}
            {% else %}
                {% set keys = 'coalesce(' ~ first ~ '.metric_date, ' ~ second ~ '.metric_date) as metric_date, '
                    ~ 'coalesce(' ~ first ~ '.dimension_value, ' ~ second
                    ~ '.dimension_value) as dimension_value' %}
                {% set from_sql = first ~ ' full outer join ' ~ second ~ ' on ' ~ first ~ '.metric_date = '
                    ~ second ~ '.metric_date and ' ~ first ~ '.dimension_value = ' ~ second
                    ~ '.dimension_value' %}
            {% endif %}
            {# Metrics read from the same CTEs share one select (below). #}
            {% if from_sql not in selects_by_from %}
                {% do selects_by_from.update({from_sql: {'key_columns': keys, 'grouping': grouping,
                    'metrics': []}}) %}
            {% endif %}
            {% do selects_by_from[from_sql].metrics.append({'name': metric.name, 'value': value.sql,
                'numerator': value.numerator or 'cast(null as double)',
                'denominator': value.denominator or 'cast(null as double)'}) %}
        {% endfor %}
    {% endfor %}

    {% if not specs %}
        {# While parsing: a typed empty result. #}
        {{ return("with metric_values as (select cast(null as date) as metric_date, cast(null as "
            ~ string_type ~ ") as metric_name, cast(null as " ~ string_type ~ ") as dimension_name, "
            ~ "cast(null as " ~ string_type ~ ") as dimension_value, cast(null as double) as value, "
            ~ "cast(null as double) as numerator, cast(null as double) as denominator where 1 = 0)") }}
    {% endif %}

    {# The longest offset (in days; a month counted as 31) read from each plain aggregate. #}
    {% set days_per = {'day': 1, 'week': 7, 'month': 31, 'quarter': 92, 'year': 366} %}
    {% set longest_shift = {} %}
    {% for spec in specs.values() if spec.shift %}
        {% set days = spec.shift.count * days_per[spec.shift.granularity] %}
        {% do longest_shift.update({spec.base: [longest_shift.get(spec.base, 0), days] | max}) %}
    {% endfor %}

    {% set model_ids = model.depends_on.nodes if model is mapping else [] %}
    {% set spine = 'metric_time_spine_daily' %}
    {% set ctes = [] %}
    {# Base CTEs first (sorted names put `x` before `x__...`), then those built on them. #}
    {% for name, spec in specs.items() | sort %}
        {# A conversion CTE is grouped by its base events' time and slices. #}
        {% set any_measure = lookup.measures[spec.conversion.base_measure.name if spec.conversion
            else spec.measures[0]] %}
        {% for needed in [any_measure.model_id, 'model.' ~ project_name ~ '.' ~ spine] %}
            {% if needed not in model_ids and (spec.window or needed == any_measure.model_id) %}
                {{ exceptions.raise_compiler_error(
                    "metric_daily reads '" ~ needed.split('.')[-1] ~ "': add `-- depends_on: {{ ref('"
                    ~ needed.split('.')[-1] ~ "') }}` to models/metrics/metric_daily.sql") }}
            {% endif %}
        {% endfor %}
        {% set source_date = 'cast(' ~ any_measure.time_expr ~ ' as date)' %}
        {% set join_sql = '' %}
        {% if spec.grouping == 'total' %}
            {% set value_sql = "cast('total' as " ~ string_type ~ ")" %}
        {% else %}
            {% set reached = dimension_join(spec.grouping, spec.semantic_model, lookup) %}
            {% if reached.reason %}
                {{ exceptions.raise_compiler_error("metric_daily: " ~ reached.reason) }}
            {% endif %}
            {% set value_sql = "coalesce(cast(" ~ reached.expr ~ " as " ~ string_type ~ "), '(null)')" %}
            {% if reached.join %}
                {% if 'model.' ~ project_name ~ '.' ~ reached.join.model_name not in model_ids %}
                    {{ exceptions.raise_compiler_error(
                        "metric_daily reads '" ~ reached.join.model_name ~ "': add `-- depends_on: {{ ref('"
                        ~ reached.join.model_name ~ "') }}` to models/metrics/metric_daily.sql") }}
                {% endif %}
                {% if spec.conversion %}
                    {{ exceptions.raise_compiler_error("metric_daily cannot slice a conversion metric by "
                        ~ "a dimension of another semantic model ('" ~ spec.grouping ~ "')") }}
                {% endif %}
                {# Only the key and the dimension: no column name can clash with the source's. #}
                {% set join_sql = ' left join (select ' ~ reached.join.dimension_key
                    ~ ' as joined_dimension_key, ' ~ reached.expr ~ ' as joined_dimension_value from '
                    ~ ref(reached.join.model_name) ~ ') as joined_dimension on '
                    ~ reached.join.source_key ~ ' = joined_dimension.joined_dimension_key' %}
                {% set value_sql = "coalesce(cast(joined_dimension.joined_dimension_value as "
                    ~ string_type ~ "), '(null)')" %}
            {% endif %}
        {% endif %}
        {% set aggregates = [] %}
        {% for measure in spec.measures %}
            {% do aggregates.append(measure_aggregate_sql(lookup.measures[measure]) ~ ' as ' ~ measure) %}
        {% endfor %}
        {% if spec.conversion %}
            {% set body = conversion_aggregate_sql(spec, lookup, value_sql, since) %}
        {% elif spec.shift %}
            {% set body = 'select cast(' ~ dbt.dateadd(spec.shift.granularity, spec.shift.count, 'metric_date')
                ~ ' as date) as metric_date, dimension_value, ' ~ spec.measures | join(', ')
                ~ ' from ' ~ spec.base %}
        {% elif spec.window %}
            {#- Like MetricFlow: every spine day with source rows in the trailing
                window. The rows are first rolled up per day and slice (a distinct
                count keeps its distinct values), so the range join to the spine
                repeats one row per day, slice and value, not every source row
                (at large, a quarter of the rows for the active-creator count). -#}
            {% set date_sql = 'cast(spine.date_day as date)' %}
            {% set rollups = measure_rollups(spec.measures, lookup, 'source') %}
            {% set keys = [source_date, value_sql] + rollups['keys'] %}
            {% set rolled_up = 'select ' ~ source_date ~ ' as source_date, ' ~ value_sql
                ~ ' as dimension_value, ' ~ rollups.partials | join(', ') ~ ' from '
                ~ ref(any_measure.model_name) ~ join_sql
                ~ ('' if since is none else ' where ' ~ source_date ~ ' > cast('
                    ~ dbt.dateadd(spec.window.granularity, -spec.window.count, since) ~ ' as date)')
                ~ ' group by ' ~ keys | join(', ') %}
            {% set body = 'select ' ~ date_sql ~ ' as metric_date, source.dimension_value, '
                ~ rollups.totals | join(', ') ~ ' from ' ~ ref(spine) ~ ' as spine inner join ('
                ~ rolled_up ~ ') as source on source.source_date <= ' ~ date_sql
                ~ ' and source.source_date > cast(' ~ dbt.dateadd(spec.window.granularity,
                    -spec.window.count, date_sql) ~ ' as date)'
                ~ ('' if since is none else ' where ' ~ date_sql ~ ' >= ' ~ since)
                ~ ' group by ' ~ date_sql ~ ', source.dimension_value' %}
        {% else %}
            {% set read_from = '' if since is none else ' where ' ~ source_date ~ ' >= cast('
                ~ dbt.dateadd('day', -longest_shift.get(name, 0), since) ~ ' as date)' %}
            {% set body = 'select ' ~ source_date ~ ' as metric_date, ' ~ value_sql ~ ' as dimension_value, '
                ~ aggregates | join(', ') ~ ' from ' ~ ref(any_measure.model_name) ~ join_sql ~ read_from
                ~ ' group by '
                ~ source_date ~ ('' if spec.grouping == 'total' else ', ' ~ value_sql) %}
        {% endif %}
        {% do ctes.append(name ~ ' as (\n    ' ~ body ~ '\n)') %}
    {% endfor %}
    {#- One select per set of CTEs read: its rows once per metric read from
        them (a cross join with the metrics' names), each column a `case` on
        the name. The same rows as a select per metric and slicing would give,
        in a union of ~60 branches rather than ~400: Spark plans and runs a
        task per branch and partition, and inlines a CTE at each read. -#}
    {% set metric_selects = [] %}
    {% for from_sql, shared in selects_by_from.items() %}
        {% set names = [] %}
        {% set columns = {'value': [], 'numerator': [], 'denominator': []} %}
        {% for metric in shared.metrics %}
            {% do names.append("('" ~ metric.name ~ "')") %}
            {% for column, whens in columns.items() %}
                {% do whens.append("when '" ~ metric.name ~ "' then " ~ metric[column]) %}
            {% endfor %}
        {% endfor %}
        {% set cases = [] %}
        {% for column, whens in columns.items() %}
            {% do cases.append('case metric_names.metric_name ' ~ whens | join(' ') ~ ' end as ' ~ column) %}
        {% endfor %}
        {% do metric_selects.append('select ' ~ shared.key_columns ~ ', cast(metric_names.metric_name as '
            ~ string_type ~ ") as metric_name, cast('" ~ shared.grouping ~ "' as " ~ string_type
            ~ ') as dimension_name, ' ~ cases | join(', ') ~ ' from ' ~ from_sql ~ ' cross join (values '
            ~ names | join(', ') ~ ') as metric_names (metric_name)') %}
    {% endfor %}
    {#- The union in batches of about the square root of its n branches, each
        repartitioned by day on Spark (a comment on DuckDB): every task of a
        union reads the plan of all its branches, so one wide union costs n^2
        on Spark, batches n^1.5. -#}
    {% set batch_size = [(metric_selects | length) ** 0.5, 1] | max | round(0, 'ceil') | int %}
    {% set batches = [] %}
    {% for branches in metric_selects | batch(batch_size) %}
        {% do batches.append('select ' ~ repartition_hint(['metric_date']) ~ ' * from (\n'
            ~ branches | join('\nunion all\n') ~ '\n) as batch_' ~ loop.index) %}
    {% endfor %}
    {{ return('with ' ~ ctes | join(',\n\n') ~ ',\n\nmetric_values as (\n'
        ~ batches | join('\nunion all\n') ~ '\n)') }}
{% endmacro %}
