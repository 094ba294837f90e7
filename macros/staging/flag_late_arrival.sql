{#- True when a row was ingested more than var('late_arrival_hours') after its
    event happened (docs/raw_data_contract.md: late rows are kept, flagged). -#}
{% macro flag_late_arrival(event_at, ingested_at='ingested_at') -%}
    ({{ ingested_at }} > {{ dbt.dateadd('hour', var('late_arrival_hours'), event_at) }})
{%- endmacro %}
