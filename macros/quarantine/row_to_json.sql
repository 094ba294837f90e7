{#- The whole row of a relation (a CTE or table alias) as one JSON string, so a
    quarantined row keeps every raw value. -#}
{% macro row_to_json(relation_alias) -%}
    {{ return(adapter.dispatch('row_to_json')(relation_alias)) }}
{%- endmacro %}

{#- DuckDB reads a bare relation alias as a struct of its columns. -#}
{% macro duckdb__row_to_json(relation_alias) -%}
    to_json({{ relation_alias }})
{%- endmacro %}

{% macro spark__row_to_json(relation_alias) -%}
    to_json(struct({{ relation_alias }}.*))
{%- endmacro %}

{% macro default__row_to_json(relation_alias) -%}
    {{ spark__row_to_json(relation_alias) }}
{%- endmacro %}
