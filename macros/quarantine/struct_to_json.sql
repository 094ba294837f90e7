{#- A struct (a raw row from row_to_struct) as JSON text with every field,
    nulls included, so a quarantined row reads the same whichever engine
    wrote it. -#}
{% macro struct_to_json(column) -%}
    {{ return(adapter.dispatch('struct_to_json', 'pgc_metrics')(column)) }}
{%- endmacro %}

{% macro default__struct_to_json(column) -%}
    to_json({{ column }})
{%- endmacro %}

{#- Spark leaves null fields out unless told not to. -#}
{% macro spark__struct_to_json(column) -%}
    to_json({{ column }}, map('ignoreNullFields', 'false'))
{%- endmacro %}
