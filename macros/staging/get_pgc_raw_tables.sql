{#- The raw pgc tables, each with its staged model and its own id column: the
    only place this map is written. The audit models loop over it, and
    audit_pgc__row_reconciliation.staged_model publishes it to Python. -#}
{% macro get_pgc_raw_tables() -%}
    {{ return([
        {'name': 'viewers', 'staged_model': 'stg_pgc__viewers',
            'id_column': 'viewer_id'},
        {'name': 'creators', 'staged_model': 'stg_pgc__creators',
            'id_column': 'creator_id'},
        {'name': 'content', 'staged_model': 'stg_pgc__content_items',
            'id_column': 'content_id'},
        {'name': 'rewards_enrollments', 'staged_model': 'stg_pgc__rewards_enrollments',
            'id_column': 'enrollment_id'},
        {'name': 'impressions', 'staged_model': 'stg_pgc__impressions',
            'id_column': 'impression_id'},
        {'name': 'views', 'staged_model': 'stg_pgc__views',
            'id_column': 'view_id'},
        {'name': 'engagements', 'staged_model': 'stg_pgc__engagements',
            'id_column': 'engagement_id'},
        {'name': 'follows', 'staged_model': 'stg_pgc__follow_events',
            'id_column': 'follow_event_id'},
        {'name': 'rewards_payouts', 'staged_model': 'stg_pgc__rewards_payouts',
            'id_column': 'payout_id'},
        {'name': 'experiment_assignments',
            'staged_model': 'stg_pgc__experiment_assignments',
            'id_column': 'assignment_id'},
    ]) }}
{%- endmacro %}
