{#- Rows of (file name, column name, contract type) for every file of a raw
    source. DuckDB reads each Parquet file's schema; another engine describes
    the source relation as one "file". -#}
{% macro raw_file_columns(source_node) -%}
    {{ return(adapter.dispatch('raw_file_columns', 'pgc_metrics')(source_node)) }}
{%- endmacro %}

{% macro duckdb__raw_file_columns(source_node) -%}
    {%- set location = modules.re.search(
        "read_parquet\\('([^']+)'", source_node.relation_name) -%}
    {%- if location is none -%}
        {{ return(default__raw_file_columns(source_node)) }}
    {%- endif -%}
    {%- set schema_sql -%}
        select
            file_name,
            name,
            case duckdb_type
                when 'VARCHAR' then 'string'
                when 'BIGINT' then 'int64'
                when 'INTEGER' then 'int32'
                when 'BOOLEAN' then 'bool'
                when 'DOUBLE' then 'double'
                when 'DATE' then 'date32'
                else lower(duckdb_type)
            end as contract_type
        from parquet_schema('{{ location.group(1) }}')
        where duckdb_type is not null
    {%- endset -%}
    {%- set rows = [] -%}
    {%- for row in run_query(schema_sql).rows -%}
        {%- do rows.append([row[0].split('/')[-1], row[1], row[2]]) -%}
    {%- endfor -%}
    {{ return(rows) }}
{%- endmacro %}

{% macro default__raw_file_columns(source_node) -%}
    {%- set types = {
        'string': 'string', 'bigint': 'int64', 'int': 'int32', 'integer': 'int32',
        'boolean': 'bool', 'double': 'double', 'date': 'date32',
    } -%}
    {%- set relation = api.Relation.create(
        database=source_node.database, schema=source_node.schema,
        identifier=source_node.identifier) -%}
    {%- set rows = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- set data_type = column.data_type | lower -%}
        {%- do rows.append([source_node.identifier, column.name,
            types.get(data_type, data_type)]) -%}
    {%- endfor -%}
    {{ return(rows) }}
{%- endmacro %}
