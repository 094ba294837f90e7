{# Grain: one row per quarantined raw row (exact copies removed first), all tables. #}

-- A view: the event logs' rows are kept, incrementally, in
-- audit_pgc__quarantined_event_rows; the snapshots' few are read from their
-- base tables, which every run rebuilds whole.
{{ config(materialized='view') }}

with

quarantined_event_rows as (
    select
        quarantined_row_id,
        source_table,
        record_id,
        quarantine_reason,
        raw_row_json,
        ingested_at
    from {{ ref('audit_pgc__quarantined_event_rows') }}
),

quarantined_snapshot_rows as (
    {{ quarantined_rows(get_pgc_raw_tables() | rejectattr('is_event_log') | list) }}
),

quarantined_rows_unioned as (
    select * from quarantined_event_rows
    union all
    select * from quarantined_snapshot_rows
)

select * from quarantined_rows_unioned
