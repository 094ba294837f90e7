{#
    The select of a conversion metric's converting entities per base event
    day and slice, as MetricFlow computes it: each conversion event is joined
    to the base events of the same entity in the window before it
    (base day <= conversion day < base day + window), attributed to the latest
    of them, and the conversion measure (count_distinct) is counted per that
    base event's day and slice. With `since`, only base days from then on are
    computed, so base and conversion events before it are not read.
#}
{% macro conversion_aggregate_sql(spec, lookup, value_sql, since=none) %}
    {% set conversion = spec.conversion %}
    {% set base = lookup.measures[conversion.base_measure.name] %}
    {% set converting = lookup.measures[conversion.conversion_measure.name] %}
    {% set window = conversion.window %}
    {% set base_events = 'select ' ~ base.entities[conversion.entity] ~ ' as entity, cast('
        ~ base.time_expr ~ ' as date) as base_date, ' ~ value_sql ~ ' as dimension_value from '
        ~ ref(base.model_name) %}
    {% set conversion_events = 'select ' ~ converting.entities[conversion.entity] ~ ' as entity, cast('
        ~ converting.time_expr ~ ' as date) as conversion_date, ' ~ converting.expr
        ~ ' as converted from ' ~ ref(converting.model_name)
        ~ ('' if since is none else ' where cast(' ~ converting.time_expr ~ ' as date) >= ' ~ since) %}
    {% set attributed = 'select conversion_events.entity, conversion_events.conversion_date, '
        ~ 'conversion_events.converted, max(base_events.base_date) as base_date from ('
        ~ conversion_events ~ ') as conversion_events inner join (' ~ base_events ~ ') as base_events'
        ~ ' on conversion_events.entity = base_events.entity'
        ~ ' and base_events.base_date <= conversion_events.conversion_date'
        ~ ' and base_events.base_date > cast('
        ~ dbt.dateadd(window.granularity, -window.count, 'conversion_events.conversion_date') ~ ' as date)'
        ~ ' group by conversion_events.entity, conversion_events.conversion_date, conversion_events.converted' %}
    {{ return('select attributed.base_date as metric_date, base_events.dimension_value, count(distinct '
        ~ 'attributed.converted) as ' ~ conversion.conversion_measure.name ~ ' from (' ~ attributed
        ~ ') as attributed inner join (' ~ base_events ~ ') as base_events'
        ~ ' on attributed.entity = base_events.entity and attributed.base_date = base_events.base_date'
        ~ ' group by attributed.base_date, base_events.dimension_value') }}
{% endmacro %}
