{#- Appends one row to build_log.dbt_invocations when a dbt command that runs
    nodes (build, run, seed, snapshot, test) starts (on-run-start) and when it
    ends (on-run-end, with its results). A start without a successful end is a build that failed or was
    killed: `pgc publish` refuses to publish after one. Times are UTC. -#}
{% macro record_dbt_invocation(event, results=none) -%}
    {%- if not execute
        or flags.WHICH not in ('build', 'run', 'seed', 'snapshot', 'test') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set failed = [] -%}
    {%- for result in results or [] -%}
        {%- if result.status in ('error', 'fail', 'runtime error', 'skipped') -%}
            {%- do failed.append(result.node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if event == 'start' -%}
        {%- set status = 'running' -%}
    {%- else -%}
        {%- set status = 'error' if failed else 'success' -%}
    {%- endif -%}
    {%- set at = modules.datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S.%f') -%}
    {%- set log_sql -%}
        create schema if not exists build_log;
        create table if not exists build_log.dbt_invocations (
            invocation_id {{ dbt.type_string() }},
            command {{ dbt.type_string() }},
            event {{ dbt.type_string() }},
            status {{ dbt.type_string() }},
            failed_nodes {{ dbt.type_int() }},
            event_at {{ dbt.type_timestamp() }}
        );
        insert into build_log.dbt_invocations values (
            '{{ invocation_id }}', '{{ flags.WHICH }}', '{{ event }}', '{{ status }}',
            {{ failed | length }}, cast('{{ at }}' as {{ dbt.type_timestamp() }})
        )
    {%- endset -%}
    {%- for statement in log_sql.split(';') -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}
