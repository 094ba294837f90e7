{#
    The governance vocabulary every metric's config.meta is checked against.
    `relation` links a metric to its parent in the metric tree:
    product = a factor of the parent's product identity; sum = an additive part
    of the parent (or the parent of it); ratio = one of the two is a ratio (or
    derived, cumulative, conversion) metric computed from the other.
    `booleans` are optional fields that must be true or false when present:
    `guardrail: true` makes experiment readouts watch the metric (pgc experiment).
#}
{% macro metric_governance_rules() %}
    {{ return({
        'required': [
            'owner', 'tier', 'status', 'direction', 'unit', 'format',
            'allowed_dimensions', 'parent', 'relation', 'last_changed',
        ],
        'nullable': ['parent', 'relation'],
        'booleans': ['guardrail'],
        'allowed': {
            'tier': ['north_star', 'L1', 'L2', 'guardrail'],
            'status': ['certified', 'experimental', 'deprecated'],
            'direction': ['higher_is_better', 'lower_is_better'],
            'relation': ['sum', 'product', 'ratio', 'driver'],
        },
        'supported_aggregations': ['sum', 'count_distinct'],
    }) }}
{% endmacro %}
