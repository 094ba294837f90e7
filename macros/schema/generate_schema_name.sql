{#- A custom schema is used as-is (staging, reference), not prefixed with the
    target schema, so relations read as staging.stg_pgc__views. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
