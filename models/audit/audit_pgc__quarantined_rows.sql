{# Grain: one row per quarantined raw row (exact copies removed first), all tables. #}

{{ config(materialized=quarantine_materialization()) }}

with

quarantined_rows_unioned as (
    {% for raw_table in get_pgc_raw_tables() %}
        select
            '{{ raw_table.name }}' as source_table,
            cast({{ raw_table.id_column }} as string) as record_id,
            quarantine_reason,
            raw_row_json,
            ingested_at
        from {{ ref('base_pgc__' ~ raw_table.name) }}
        where quarantine_reason is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- Rows are distinct within a table, so the table and the raw row identify one.
with_key as (
    select
        {{ dbt.hash(dbt.concat(['source_table', "'|'", 'raw_row_json'])) }}
            as quarantined_row_id,
        source_table,
        record_id,
        quarantine_reason,
        raw_row_json,
        ingested_at
    from quarantined_rows_unioned
)

select * from with_key
