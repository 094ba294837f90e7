{#- Run first (on-run-start): makes every raw pgc table readable as
    raw.<table>. dbt-duckdb reads the files in place through the source's
    external_location, so this does nothing there; on Spark each table becomes
    a view over its Parquet files, found the same way (PGC_RAW_DIR, the
    table's name and its raw_files pattern). -#}
{% macro register_raw_sources(source_name='pgc') -%}
    {{ return(adapter.dispatch('register_raw_sources', 'pgc_metrics')(source_name)) }}
{%- endmacro %}

{% macro default__register_raw_sources(source_name) -%}
    {{ return('') }}
{%- endmacro %}

{% macro spark__register_raw_sources(source_name) -%}
    {%- if not execute or flags.WHICH not in ('build', 'run', 'test', 'seed') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set raw_dir = env_var('PGC_RAW_DIR', 'data/raw') -%}
    {%- set sources = graph.sources.values()
        | selectattr('source_name', 'equalto', source_name) | list -%}
    {%- for source_node in sources | sort(attribute='name') -%}
        {%- if loop.first -%}
            {%- do run_query('create database if not exists ' ~ source_node.schema) -%}
        {%- endif -%}
        {%- set path = raw_dir ~ '/' ~ source_node.name ~ source_node.meta.raw_files -%}
        {%- do run_query(
            'create or replace view ' ~ source_node.schema ~ '.' ~ source_node.identifier
            ~ ' as select * from parquet.`' ~ path ~ '`') -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}
