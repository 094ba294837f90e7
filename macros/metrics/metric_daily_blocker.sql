{#
    Why metric_daily cannot compute a metric, or '' when it can: simple,
    ratio, cumulative (trailing window, no grain_to_date), conversion (over a
    count_distinct conversion measure, no constant properties) and derived metrics
    (offset_window allowed, not offset_to_grain, not an offset of a cumulative
    or of another offset) whose inputs it can compute, reading at most two
    aggregate CTEs. Certified metrics must be computable
    (validate_metric_governance).
#}
{% macro metric_daily_blocker(metric, lookup) %}
    {% set params = metric.type_params %}
    {% if metric.type not in ('simple', 'ratio', 'derived', 'cumulative', 'conversion') %}
        {{ return("metric_daily cannot compute a " ~ metric.type ~ " metric") }}
    {% endif %}
    {% if metric.type == 'conversion' %}
        {% set conversion = params.conversion_type_params %}
        {% if conversion.constant_properties %}
            {{ return("metric_daily cannot compute a conversion metric with constant_properties") }}
        {% endif %}
        {% if lookup.measures[conversion.conversion_measure.name].agg != 'count_distinct' %}
            {{ return("metric_daily computes conversion metrics only over a count_distinct conversion "
                ~ "measure (conversion_measure '" ~ conversion.conversion_measure.name ~ "')") }}
        {% endif %}
    {% endif %}
    {% if metric.type == 'cumulative' and not (params.cumulative_type_params or {}).get('window') %}
        {{ return("metric_daily cannot compute a cumulative metric without a window") }}
    {% endif %}
    {% for input in metric_inputs(metric, lookup) %}
        {% set reason = metric_daily_blocker(lookup.metrics[input], lookup) %}
        {% if reason %}
            {{ return("input '" ~ input ~ "': " ~ reason) }}
        {% endif %}
    {% endfor %}
    {% if metric.type == 'derived' %}
        {% for input in params.metrics %}
            {% if input.offset_to_grain %}
                {{ return("metric_daily cannot compute offset_to_grain (input '" ~ input.name ~ "')") }}
            {% endif %}
            {% set value = metric_value_sql(lookup.metrics[input.name], lookup, '') %}
            {% if input.offset_window and value.ctes | selectattr('window') | list
                or input.offset_window and value.ctes | selectattr('shift') | list %}
                {{ return("metric_daily cannot offset a cumulative or already offset input ('"
                    ~ input.name ~ "')") }}
            {% endif %}
        {% endfor %}
    {% endif %}
    {% set ctes = metric_value_sql(metric, lookup, '').ctes | map(attribute='name') | unique | list %}
    {% if ctes | length > 2 %}
        {{ return("metric_daily cannot join more than two aggregates (" ~ ctes | join(', ') ~ ")") }}
    {% endif %}
    {{ return('') }}
{% endmacro %}
