{#- First day an incremental run re-processes: the newest day already in the
    model (or in `relation`) minus var('incremental_lookback_days') and
    `extra_days`. Use as
    `where <date_column> >= {{ incremental_since('<date_column>') }}` inside
    `{% if is_incremental() %}`.

    The bound is looked up when the model runs and written into the SQL as a
    date literal: compared with a literal, the filter is applied while the
    table is scanned (and skips row groups), where a scalar subquery would be
    planned as a join after every other join. -#}
{% macro incremental_since(date_column, relation=none, extra_days=0) -%}
    {%- set earliest = "cast('1900-01-01' as date)" -%}
    {%- if not execute -%}
        {{ return(earliest) }}
    {%- endif -%}
    {%- set bound_sql -%}
        {%- set days_back = var('incremental_lookback_days') + extra_days %}
        select cast({{ dbt.dateadd('day', -days_back, 'max(' ~ date_column ~ ')') }} as date)
        from {{ relation if relation is not none else this }}
    {%- endset -%}
    {%- set bound = run_query(bound_sql).columns[0].values()[0] -%}
    {%- if bound is none -%}
        {{ return(earliest) }}
    {%- endif -%}
    {{ return("cast('" ~ bound ~ "' as date)") }}
{%- endmacro %}
