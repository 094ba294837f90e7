{#- Overrides dbt-spark's dateadd (dbt looks in the root project first):
    theirs goes through to_unix_timestamp, which drops the milliseconds (a
    24-hour window ends up to a second early) and fails on a null.
    timestampadd keeps both, as DuckDB's `+ interval` does. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}
