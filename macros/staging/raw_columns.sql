{#- The columns the source YAML declares for a raw table, comma-separated, in
    its order: staging reads these and nothing else, so an extra column in a
    raw file is ignored (check_raw_sources warns about it). `*` while parsing
    and in unit tests, whose graph has no sources (their inputs are the
    declared columns already). -#}
{% macro raw_columns(table_name, source_name='pgc') -%}
    {%- if not execute or not graph.get('sources') -%}
        {{ return('*') }}
    {%- endif -%}
    {%- set node = graph.sources.values()
        | selectattr('source_name', 'equalto', source_name)
        | selectattr('name', 'equalto', table_name) | first -%}
    {{ return(node.columns.keys() | join(', ')) }}
{%- endmacro %}
