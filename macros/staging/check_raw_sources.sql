{#- Run before any model (on-run-start): every file of every raw pgc table must
    have the columns and types the source YAML declares (the raw data
    contract). A missing or retyped column fails the build before anything is
    written, naming the table, the column and the files; an extra column is
    ignored with a warning (staging reads the declared columns only). A file
    that cannot be read fails here too, with the reader's message naming it. -#}
{% macro check_raw_sources(source_name='pgc') -%}
    {%- if not execute or flags.WHICH not in ('build', 'run') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set problems = [] -%}
    {%- set sources = graph.sources.values()
        | selectattr('source_name', 'equalto', source_name) | list -%}
    {%- for source_node in sources | sort(attribute='name') -%}
        {%- set declared = {} -%}
        {%- for column in source_node.columns.values() -%}
            {%- do declared.update({column.name: column.data_type}) -%}
        {%- endfor -%}
        {%- set found = {} -%}
        {%- for row in raw_file_columns(source_node) -%}
            {%- do found.setdefault(row[0], {}).update({row[1]: row[2]}) -%}
        {%- endfor -%}
        {%- set issues = {} -%}
        {%- for file_name, columns in found.items() -%}
            {%- for name, data_type in declared.items() -%}
                {%- if name not in columns -%}
                    {%- set issue = 'error|column ' ~ name ~ ' is missing (the contract says '
                        ~ data_type ~ ')' -%}
                    {%- do issues.setdefault(issue, []).append(file_name) -%}
                {%- elif columns[name] != data_type -%}
                    {%- set issue = 'error|column ' ~ name ~ ' is ' ~ columns[name]
                        ~ ' (the contract says ' ~ data_type ~ ')' -%}
                    {%- do issues.setdefault(issue, []).append(file_name) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- for name in columns if name not in declared -%}
                {%- set issue = 'warn|extra column ' ~ name ~ ' ('
                    ~ columns[name] ~ ') is not in the contract and is ignored' -%}
                {%- do issues.setdefault(issue, []).append(file_name) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- for issue, files in issues.items() | sort -%}
            {%- set level, text = issue.split('|', 1) -%}
            {%- set named = files | sort -%}
            {%- set where = named[:3] | join(', ')
                ~ (' and ' ~ (named | length - 3) ~ ' more' if named | length > 3 else '') -%}
            {%- set line = 'raw table ' ~ source_node.name ~ ': ' ~ text ~ ' in ' ~ where -%}
            {%- if level == 'error' -%}
                {%- do problems.append(line) -%}
            {%- else -%}
                {%- do exceptions.warn('Raw schema warning: ' ~ line) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if problems -%}
        {%- do exceptions.raise_compiler_error(
            'Raw schema check failed; nothing was built (' ~ problems | length
            ~ ' problem(s)):\n  - ' ~ problems | join('\n  - ')
            ~ '\nFix or replace the files (or change the contract in '
            ~ 'models/staging/pgc/_pgc__sources.yml and docs/raw_data_contract.md), '
            ~ 'then run dbt build again.') -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
