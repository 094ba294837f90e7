{#- The raw pgc tables, each with its staged model, its own id column and
    whether it is an event log (delivered by day, staged incrementally by
    ingestion day) or a snapshot (read whole on every run): the only place
    this map is written. The audit models loop over it, and
    audit_pgc__row_reconciliation.staged_model publishes it to Python. -#}
{% macro get_pgc_raw_tables() -%}
    {{ return([
        {'name': 'viewers', 'staged_model': 'stg_pgc__viewers',
            'id_column': 'viewer_id', 'is_event_log': false},
        {'name': 'creators', 'staged_model': 'stg_pgc__creators',
            'id_column': 'creator_id', 'is_event_log': false},
        {'name': 'content', 'staged_model': 'stg_pgc__content_items',
            'id_column': 'content_id', 'is_event_log': false},
        {'name': 'rewards_enrollments', 'staged_model': 'stg_pgc__rewards_enrollments',
            'id_column': 'enrollment_id', 'is_event_log': false},
        {'name': 'impressions', 'staged_model': 'stg_pgc__impressions',
            'id_column': 'impression_id', 'is_event_log': true},
        {'name': 'views', 'staged_model': 'stg_pgc__views',
            'id_column': 'view_id', 'is_event_log': true},
        {'name': 'engagements', 'staged_model': 'stg_pgc__engagements',
            'id_column': 'engagement_id', 'is_event_log': true},
        {'name': 'follows', 'staged_model': 'stg_pgc__follow_events',
            'id_column': 'follow_event_id', 'is_event_log': true},
        {'name': 'rewards_payouts', 'staged_model': 'stg_pgc__rewards_payouts',
            'id_column': 'payout_id', 'is_event_log': true},
        {'name': 'experiment_assignments',
            'staged_model': 'stg_pgc__experiment_assignments',
            'id_column': 'assignment_id', 'is_event_log': true},
    ]) }}
{%- endmacro %}
