{#- The distinct rows of a raw event table: all of them on a full build, only
    the ingestion days an incremental run re-processes otherwise. Copies of a
    row share ingest_ts_ms, so a distinct within whole ingestion days is exact;
    event days are not used because future-dated rows run ahead of them. Only
    the contract's columns are read (raw_columns): an extra one is ignored. -#}
{% macro distinct_raw_rows(table_name) -%}
    select distinct {{ raw_columns(table_name) }}
    from {{ source('pgc', table_name) }}
    {% if is_incremental() %}
        where
            cast({{ epoch_ms_to_timestamp('ingest_ts_ms') }} as date)
            >= {{ incremental_since('ingested_date') }}
    {% endif %}
{%- endmacro %}
