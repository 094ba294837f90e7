{#- Epoch milliseconds (int64, UTC) to a TIMESTAMP without time zone holding UTC. -#}
{% macro epoch_ms_to_timestamp(column) -%}
    {{ return(adapter.dispatch('epoch_ms_to_timestamp')(column)) }}
{%- endmacro %}

{#- epoch_ms(bigint) returns TIMESTAMP (not TIMESTAMPTZ): UTC whatever the session
    TimeZone is, unlike to_timestamp(), which returns TIMESTAMPTZ. -#}
{% macro duckdb__epoch_ms_to_timestamp(column) -%}
    epoch_ms(cast({{ column }} as bigint))
{%- endmacro %}

{% macro spark__epoch_ms_to_timestamp(column) -%}
    timestamp_millis(cast({{ column }} as bigint))
{%- endmacro %}

{% macro default__epoch_ms_to_timestamp(column) -%}
    {{ spark__epoch_ms_to_timestamp(column) }}
{%- endmacro %}
