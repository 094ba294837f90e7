{#- DuckDB's incremental materialization, writing the re-processed days once.

    dbt-duckdb's own runs `delete+insert` by writing the model's rows into a
    temporary table, then deleting the target's rows whose key is among them
    and inserting them: every re-processed row is written twice (at medium,
    4.7 s each for 8 days of impressions against 2.8 s for the query). Here the
    model's query is a temporary view (its columns are checked as dbt-duckdb
    checks the temporary table's) and, in one transaction, its rows are
    inserted, then the rows that were there before with a key among the new
    ones are deleted: the same rows as `delete+insert`, written once. The rows
    that were there before are those at or below the largest `rowid` read
    before the insert: DuckDB numbers the rows a transaction appends after
    every committed one (`tests/python/test_incremental.py` and the killed
    build test check the result and its atomicity).

    Every other case (the first build, a full refresh, another strategy, a
    key of several columns, a Python model) goes to dbt-duckdb's
    materialization unchanged, reached through `dbt.`, the namespace of dbt's
    and the adapter's own macros (this one overrides its name). -#}
{% materialization incremental, adapter='duckdb' -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set unique_key = config.get('unique_key') -%}
    {%- set writes_once = existing_relation is not none
        and existing_relation.is_table
        and not should_full_refresh()
        and model['language'] == 'sql'
        and config.get('incremental_strategy') == 'delete+insert'
        and unique_key is string
        and not config.get('incremental_predicates')
        and not adapter.is_motherduck() -%}
    {%- if not writes_once -%}
        {{ return(dbt.materialization_incremental_duckdb()) }}
    {%- endif -%}

    {%- set target_relation = this.incorporate(type='table') -%}
    {#- Without a schema or database: a temporary object of this connection. -#}
    {%- set view_relation = make_temp_relation(target_relation).incorporate(type='view') -%}
    {%- set on_schema_change = incremental_validate_on_schema_change(
        config.get('on_schema_change'), default='ignore') -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% do run_query('create or replace temporary view ' ~ view_relation ~ ' as (' ~ compiled_code ~ ')') %}
    {% set dest_columns = process_schema_changes(on_schema_change, view_relation, existing_relation) %}
    {% if not dest_columns %}
        {% set dest_columns = adapter.get_columns_in_relation(existing_relation) %}
    {% endif %}
    {%- set columns_csv = get_quoted_csv(dest_columns | map(attribute='name')) -%}
    {%- set last_old_row = run_query('select coalesce(max(rowid), -1) from ' ~ target_relation).columns[0].values()[0] -%}

    {% call statement('main') %}
        insert into {{ target_relation }} ({{ columns_csv }})
        select {{ columns_csv }} from {{ view_relation }};

        delete from {{ target_relation }}
        where rowid <= {{ last_old_row }}
            and {{ unique_key }} in (
                select {{ unique_key }} from {{ target_relation }} where rowid > {{ last_old_row }}
            );
    {% endcall %}

    {% do run_query('drop view ' ~ view_relation) %}
    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do adapter.commit() %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}
