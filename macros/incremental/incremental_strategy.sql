{#- The strategy that replaces whole days of an incremental model: DuckDB
    deletes the re-processed days and inserts them again (unique_key is the
    date column); Spark overwrites the date partitions, so every incremental
    model also sets partition_by to that column (DuckDB ignores it). -#}
{% macro incremental_strategy() -%}
    {{ return(adapter.dispatch('incremental_strategy', 'pgc_metrics')()) }}
{%- endmacro %}

{% macro default__incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__incremental_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}
