{#- Lower bound of the days an incremental run re-processes: the newest day
    already in the model minus var('incremental_lookback_days'). Use as
    `where <date_column> >= {{ incremental_since('<date_column>') }}` inside
    `{% if is_incremental() %}`. -#}
{% macro incremental_since(date_column) -%}
    (
        select cast({{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(' ~ date_column ~ ')') }} as date)
        from {{ this }}
    )
{%- endmacro %}
