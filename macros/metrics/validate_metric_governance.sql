{#
    Fails the build (raise_compiler_error) when any metric breaks a governance
    rule; every message names the metric and the field. Rules: all meta fields
    present and valid; optional boolean fields (guardrail) true or false, and a
    guardrail certified; config.group a dbt group whose owner's email is
    meta.owner; allowed dimensions exist; the tree has one root (the
    north star), every parent exists, ratio links match the definitions;
    a certified metric can be computed by metric_daily (metric_daily_blocker)
    with supported aggregations, its dimensions live in its measures' semantic model, every
    model it reads has an enforced contract and tests, and it uses no
    deprecated metric.
#}
{% macro validate_metric_governance() %}
    {% if not execute %}
        {{ return('') }}
    {% endif %}
    {% set rules = metric_governance_rules() %}
    {% set lookup = semantic_lookup() %}
    {% set errors = [] %}
    {% set tested_models = [] %}
    {% for node in graph.nodes.values() if node.resource_type == 'test' %}
        {% do tested_models.extend(node.depends_on.nodes) %}
    {% endfor %}
    {% set roots = [] %}

    {% for metric in lookup.metrics.values() | sort(attribute='name') %}
        {% set name = metric.name %}
        {% set meta = metric.config.meta or metric.meta or {} %}
        {% set field_errors = [] %}
        {% for field in rules.required %}
            {% if field not in meta %}
                {% do field_errors.append("meta." ~ field ~ " is missing") %}
            {% elif meta[field] is none and field not in rules.nullable %}
                {% do field_errors.append("meta." ~ field ~ " is null") %}
            {% elif field in rules.allowed and meta[field] is not none
                and meta[field] not in rules.allowed[field] %}
                {% do field_errors.append("meta." ~ field ~ " is '" ~ meta[field]
                    ~ "', not one of " ~ rules.allowed[field] | join(', ')) %}
            {% endif %}
        {% endfor %}
        {% for field in rules.booleans if field in meta
            and meta[field] is not sameas true and meta[field] is not sameas false %}
            {% do field_errors.append("meta." ~ field ~ " must be true or false") %}
        {% endfor %}
        {% if meta.get('guardrail') is sameas true and meta.get('status') != 'certified' %}
            {% do field_errors.append("meta.guardrail is true but meta.status is not certified: "
                ~ "only a certified metric may block a launch") %}
        {% endif %}
        {# Ownership: a dbt group, whose owner's address is meta.owner. #}
        {% set groups = {} %}
        {% for group in graph.groups.values() %}
            {% do groups.update({group.name: group}) %}
        {% endfor %}
        {% if not metric.config.group %}
            {% do field_errors.append("config.group (the owning team) is missing") %}
        {% elif metric.config.group not in groups %}
            {% do field_errors.append("config.group '" ~ metric.config.group ~ "' is not a dbt group") %}
        {% elif meta.get('owner') and meta.owner != groups[metric.config.group].owner.email %}
            {% do field_errors.append("meta.owner '" ~ meta.owner ~ "' is not the owner of group '"
                ~ metric.config.group ~ "' (" ~ groups[metric.config.group].owner.email ~ ")") %}
        {% endif %}
        {% if 'last_changed' in meta and not modules.re.match(
            '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', meta.last_changed | string) %}
            {% do field_errors.append("meta.last_changed must be a YYYY-MM-DD date") %}
        {% endif %}
        {% set dims = meta.get('allowed_dimensions') %}
        {% if 'allowed_dimensions' in meta and dims is not iterable or dims is string %}
            {% do field_errors.append("meta.allowed_dimensions must be a list") %}
        {% elif dims %}
            {% for dim in dims if dim not in lookup.dimensions %}
                {% do field_errors.append("meta.allowed_dimensions has '" ~ dim
                    ~ "', which no semantic model defines") %}
            {% endfor %}
        {% endif %}

        {# The metric tree. #}
        {% set parent = meta.get('parent') %}
        {% set relation = meta.get('relation') %}
        {% if meta.get('tier') == 'north_star' %}
            {% do roots.append(name) %}
            {% if parent is not none or relation is not none %}
                {% do field_errors.append("meta.parent and meta.relation must be null for the north star") %}
            {% endif %}
        {% elif 'parent' in meta %}
            {% if parent is none %}
                {% do field_errors.append("meta.parent is null but only the north star may have no parent") %}
            {% elif parent not in lookup.metrics or parent == name %}
                {% do field_errors.append("meta.parent '" ~ parent ~ "' is not another metric") %}
            {% elif relation is none %}
                {% do field_errors.append("meta.relation is null but the metric has a parent") %}
            {% elif relation == 'ratio' and name not in metric_inputs(lookup.metrics[parent], lookup)
                and parent not in metric_inputs(metric, lookup) %}
                {% do field_errors.append("meta.relation is 'ratio' but neither '" ~ name ~ "' nor '"
                    ~ parent ~ "' is computed from the other") %}
            {% endif %}
        {% endif %}

        {# Certification. #}
        {% if meta.get('status') == 'certified' %}
            {% set blocker = metric_daily_blocker(metric, lookup) %}
            {% if blocker %}
                {% do field_errors.append("meta.status is certified but " ~ blocker) %}
            {% endif %}
            {% for input in metric_input_closure(metric, lookup) %}
                {% if (lookup.metrics[input].config.meta or {}).get('status') == 'deprecated' %}
                    {% do field_errors.append("meta.status is certified but it uses deprecated metric '" ~ input ~ "'") %}
                {% endif %}
            {% endfor %}
            {% for measure in metric.type_params.input_measures %}
                {% set found = lookup.measures[measure.name] %}
                {% if found.agg not in rules.supported_aggregations %}
                    {% do field_errors.append("meta.status is certified but measure '" ~ measure.name
                        ~ "' aggregates with " ~ found.agg) %}
                {% endif %}
                {# A conversion metric is sliced by its base events only. #}
                {% set is_conversion_measure = metric.type == 'conversion' and measure.name
                    == metric.type_params.conversion_type_params.conversion_measure.name %}
                {% for dim in dims or [] if dim in lookup.dimensions and not is_conversion_measure %}
                    {% set reached = dimension_join(dim, found.semantic_model, lookup) %}
                    {% if reached.reason %}
                        {% do field_errors.append("meta.allowed_dimensions has '" ~ dim ~ "', which semantic model '"
                            ~ found.semantic_model ~ "' of measure '" ~ measure.name ~ "' cannot reach: "
                            ~ reached.reason) %}
                    {% elif reached.join and metric.type == 'conversion' %}
                        {% do field_errors.append("meta.allowed_dimensions has '" ~ dim ~ "', a dimension of "
                            ~ "another semantic model: metric_daily slices conversion metrics by their own") %}
                    {% endif %}
                {% endfor %}
                {% set model = graph.nodes[found.model_id] %}
                {% if not model.config.contract.enforced %}
                    {% do field_errors.append("meta.status is certified but upstream model '" ~ model.name
                        ~ "' has no enforced contract") %}
                {% endif %}
                {% if found.model_id not in tested_models %}
                    {% do field_errors.append("meta.status is certified but upstream model '" ~ model.name
                        ~ "' has no tests") %}
                {% endif %}
            {% endfor %}
        {% endif %}

        {% for message in field_errors | unique %}
            {% do errors.append("metric '" ~ name ~ "': " ~ message) %}
        {% endfor %}
    {% endfor %}

    {% if roots | length != 1 %}
        {% do errors.append("metric tree: exactly one metric must have tier north_star, found "
            ~ (roots | length) ~ ": " ~ roots | join(', ')) %}
    {% endif %}
    {# Walking up from any metric must reach the root: no cycles. #}
    {% for metric in lookup.metrics.values() | sort(attribute='name') %}
        {% set path = [metric.name] %}
        {% for _ in range(lookup.metrics | length) %}
            {% set parent = (lookup.metrics[path[-1]].config.meta or {}).get('parent') %}
            {% if parent is not none and parent in lookup.metrics and parent not in path %}
                {% do path.append(parent) %}
            {% endif %}
        {% endfor %}
        {% set top = (lookup.metrics[path[-1]].config.meta or {}).get('parent') %}
        {% if top is not none and top in path %}
            {% do errors.append("metric '" ~ metric.name ~ "': meta.parent forms a cycle: " ~ path | join(' -> ')) %}
        {% endif %}
    {% endfor %}

    {% if errors %}
        {{ exceptions.raise_compiler_error(
            "Metric governance failed (" ~ errors | length ~ " problem(s)):\n  - " ~ errors | join("\n  - ")
        ) }}
    {% endif %}
    {{ return('') }}
{% endmacro %}
