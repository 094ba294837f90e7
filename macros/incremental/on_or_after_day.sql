{#- True for rows whose `timestamp_column` falls on `day` (a SQL date, such as
    incremental_since's) or later. The column itself is compared, as a
    timestamp: DuckDB then applies the comparison while it scans the table,
    where a comparison of `cast(column as date)` (a staged model's `*_date`)
    only lets it skip row groups and every row of every column read is
    fetched before it is filtered. At large, reading 8 of 90 days of
    base_pgc__views took 2.3 s against 5.2 s. -#}
{% macro on_or_after_day(timestamp_column, day) -%}
    {{ timestamp_column }} >= cast({{ day }} as {{ dbt.type_timestamp() }})
{%- endmacro %}
