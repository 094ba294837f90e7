{#- How audit_pgc__quarantined_rows is materialized. DuckDB: a view. The base
    tables already keep every quarantined row with its raw JSON, so a table
    wrote them all again on every run: 5-8 % of a large one-day run for 1.2 M
    rows (docs/benchmarks.md), against about 2 s for a reader of the view.
    Spark: a table, so that pgc and the Spark parity test read the row keys
    Spark computed (pgc reads a Spark view by running its SQL in DuckDB,
    docs/spark.md). -#}
{% macro quarantine_materialization() -%}
    {{ return(adapter.dispatch('quarantine_materialization', 'pgc_metrics')()) }}
{%- endmacro %}

{% macro default__quarantine_materialization() -%}
    {{ return('view') }}
{%- endmacro %}

{% macro spark__quarantine_materialization() -%}
    {{ return('table') }}
{%- endmacro %}
