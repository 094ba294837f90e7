{#- Trim stray whitespace and fix the case of an enum string (normalization,
    not a defect). Region codes are ISO codes: pass to_case='upper'. -#}
{% macro normalize_enum(column, to_case='lower') -%}
    {%- if to_case == 'lower' -%}
        lower(trim({{ column }}))
    {%- elif to_case == 'upper' -%}
        upper(trim({{ column }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "normalize_enum: to_case must be 'lower' or 'upper', got " ~ to_case
        ) }}
    {%- endif -%}
{%- endmacro %}
