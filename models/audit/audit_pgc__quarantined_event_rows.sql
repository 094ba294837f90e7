{# Grain: one row per quarantined raw row of an event log (exact copies removed first). #}

-- Incremental by ingestion day, as the base tables it reads: a run re-reads
-- the days from the lookback before the oldest newest day of any of them, so
-- every day a base table re-processed is replaced here too.
{{
    config(
        materialized='incremental',
        unique_key='ingested_date',
        partition_by=['ingested_date'],
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
    )
}}

{%- set event_logs = get_pgc_raw_tables() | selectattr('is_event_log') | list %}
{%- set since = none %}
{%- if is_incremental() %}
    {%- set newest_days = [] %}
    {%- for raw_table in event_logs %}
        {%- do newest_days.append('select max(ingested_date) as last_day from '
            ~ ref('base_pgc__' ~ raw_table.name)) %}
    {%- endfor %}
    {%- set oldest = '(select min(last_day) as last_day from (' ~ newest_days | join(' union all ')
        ~ ') as by_table) as oldest' %}
    {%- set since = incremental_since('last_day', relation=oldest) %}
{%- endif %}

with

quarantined_event_rows as (
    {{ quarantined_rows(event_logs, since) }}
)

select {{ partition_write_hint() }} * from quarantined_event_rows
