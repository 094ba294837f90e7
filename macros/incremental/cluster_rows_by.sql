{#- After a model's final select: on a full build, the rows are stored in the
    order of `column` (a day), so that a filter on a few days skips the other
    days' row groups (DuckDB keeps each row group's minimum and maximum); in an
    unordered table every row group holds every day and each such read scans
    the whole table. An incremental run does not sort: it appends the days it
    re-processed as new row groups, which hold only those days. Spark
    partitions such a table by the day (partition_by): no sort there. -#}
{% macro cluster_rows_by(column) -%}
    {{ return(adapter.dispatch('cluster_rows_by', 'pgc_metrics')(column)) }}
{%- endmacro %}

{% macro default__cluster_rows_by(column) -%}
    {{ return('' if is_incremental() else 'order by ' ~ column) }}
{%- endmacro %}

{% macro spark__cluster_rows_by(column) -%}
    {{ return('') }}
{%- endmacro %}
