{# A value as a SQL string literal (quotes doubled), or a typed null. #}
{% macro sql_string_literal(value) %}
    {% if value is none %}
        {{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}
    {% endif %}
    {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{% endmacro %}
