{#- A Spark hint (a comment to DuckDB) that shuffles a query's rows by the
    given columns before the next step: `select {{ repartition_hint([...]) }} *`.
    Spark runs a union as one task per partition of every branch, and each
    task reads the plan of the whole union; shuffling in between keeps wide
    queries and partitioned writes to a few tasks and files. -#}
{% macro repartition_hint(columns) -%}
    {{ return(adapter.dispatch('repartition_hint', 'pgc_metrics')(columns)) }}
{%- endmacro %}

{% macro default__repartition_hint(columns) -%}
    {{ return('') }}
{%- endmacro %}

{#- No columns (a unit test, which does not see the model's config): no hint. -#}
{% macro spark__repartition_hint(columns) -%}
    {{ return('/*+ REPARTITION(' ~ columns | join(', ') ~ ') */' if columns else '') }}
{%- endmacro %}

{#- Right after the final `select` of a model with partition_by: Spark writes
    one file per task and partition, so a wide query (metric_daily's hundreds
    of union branches, an event table read from many files) would write
    thousands of small files, each a file system round trip. Repartitioned by
    the partition columns, it writes one file per partition. -#}
{% macro partition_write_hint() -%}
    {%- set columns = config.get('partition_by') or [] -%}
    {{ return(repartition_hint([columns] if columns is string else columns)) }}
{%- endmacro %}
