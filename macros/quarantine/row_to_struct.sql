{#- The whole row of a relation (a CTE or table alias) as one struct column, so
    a model can carry the raw row cheaply and serialize it (struct_to_json)
    only for the rows that need it. -#}
{% macro row_to_struct(relation_alias) -%}
    {{ return(adapter.dispatch('row_to_struct')(relation_alias)) }}
{%- endmacro %}

{#- DuckDB reads a bare relation alias as a struct of its columns. -#}
{% macro duckdb__row_to_struct(relation_alias) -%}
    {{ relation_alias }}
{%- endmacro %}

{% macro spark__row_to_struct(relation_alias) -%}
    struct({{ relation_alias }}.*)
{%- endmacro %}

{% macro default__row_to_struct(relation_alias) -%}
    {{ spark__row_to_struct(relation_alias) }}
{%- endmacro %}
