{#- The quarantined rows of the base tables of `raw_tables` (entries of
    get_pgc_raw_tables), one select per table joined by union all, each row
    keyed by a hash of its table and raw row (rows are distinct within a
    table). Event logs' rows carry their `ingested_date` (pass event logs or
    snapshots, not both); with `since` (a SQL date), only those ingested on
    that day or later. -#}
{% macro quarantined_rows(raw_tables, since=none) -%}
    {%- for raw_table in raw_tables %}
        select
            {{ dbt.hash(dbt.concat(["'" ~ raw_table.name ~ "'", "'|'", 'raw_row_json'])) }}
                as quarantined_row_id,
            '{{ raw_table.name }}' as source_table,
            cast({{ raw_table.id_column }} as string) as record_id,
            quarantine_reason,
            raw_row_json,
            ingested_at
            {%- if raw_table.is_event_log %},
            ingested_date
            {%- endif %}
        from {{ ref('base_pgc__' ~ raw_table.name) }}
        where
            quarantine_reason is not null
            {%- if since is not none %}
                and ingested_date >= {{ since }}
            {%- endif %}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
