{# A value as a SQL string literal, or a typed null. #}
{% macro sql_string_literal(value) %}
    {% if value is none %}
        {{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}
    {% endif %}
    {{ return(adapter.dispatch('sql_string_literal', 'pgc_metrics')(value | string)) }}
{% endmacro %}

{# Standard SQL: a quote is doubled. #}
{% macro default__sql_string_literal(text) %}
    {{ return("'" ~ text | replace("'", "''") ~ "'") }}
{% endmacro %}

{#- Spark reads a backslash as an escape and `'a''b'` as two literals run
    together ('ab'): backslashes and quotes are escaped with a backslash. -#}
{% macro spark__sql_string_literal(text) %}
    {{ return("'" ~ text | replace('\\', '\\\\') | replace("'", "\\'") ~ "'") }}
{% endmacro %}
