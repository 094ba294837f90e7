{#- On-run-end: keeps the SQL of every view the command built in
    build_log.view_definitions (schema, view, SQL, when), so that a reader of
    the table files (`pgc` on a Spark build, which reads the Parquet files
    with DuckDB) can define the same views: on Spark a view is not a file.
    A view's newest row is its definition. DuckDB keeps its own views, so
    nothing is recorded there. -#}
{% macro record_view_definitions(results) -%}
    {{ return(adapter.dispatch('record_view_definitions', 'pgc_metrics')(results)) }}
{%- endmacro %}

{% macro default__record_view_definitions(results) -%}
    {{ return('') }}
{%- endmacro %}

{% macro spark__record_view_definitions(results) -%}
    {%- if not execute or flags.WHICH not in ('build', 'run') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set rows = [] -%}
    {%- set at = modules.datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S.%f') -%}
    {%- for result in results or [] -%}
        {%- if result.node.resource_type == 'model'
            and result.node.config.materialized == 'view'
            and result.status == 'success' -%}
            {%- do rows.append('(' ~ sql_string_literal(result.node.schema) ~ ', '
                ~ sql_string_literal(result.node.alias) ~ ', '
                ~ sql_string_literal(result.node.compiled_code) ~ ', '
                ~ 'cast(' ~ sql_string_literal(at) ~ ' as timestamp))') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do run_query('create schema if not exists build_log') -%}
    {%- do run_query(
        'create table if not exists build_log.view_definitions ('
        ~ 'schema_name string, view_name string, view_sql string, recorded_at timestamp)') -%}
    {%- if rows -%}
        {%- do run_query('insert into build_log.view_definitions values '
            ~ rows | join(', ')) -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
