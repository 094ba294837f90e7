{# Grain: one row per raw pgc table: where its raw rows went. #}

with

{% set raw_tables = get_pgc_raw_tables() %}
-- Each raw table with the stg_ model it is staged into, from the one map of
-- them (get_pgc_raw_tables), so that Python reads the map here.
raw_counts as (
    {% for raw_table in raw_tables %}
        select
            '{{ raw_table.name }}' as source_table,
            '{{ raw_table.staged_model }}' as staged_model,
            count(*) as raw_row_count
        from {{ source('pgc', raw_table.name) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- Base tables hold the distinct raw rows, each valid or quarantined.
base_counts as (
    {% for raw_table in raw_tables %}
        select
            '{{ raw_table.name }}' as source_table,
            count(*) as distinct_row_count,
            count(*) - count(quarantine_reason) as staged_row_count,
            count(quarantine_reason) as quarantined_row_count
        from {{ ref('base_pgc__' ~ raw_table.name) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

reconciled as (
    select
        raw_counts.source_table,
        raw_counts.staged_model,
        raw_counts.raw_row_count,
        raw_counts.raw_row_count - base_counts.distinct_row_count
            as duplicate_row_count,
        base_counts.staged_row_count,
        base_counts.quarantined_row_count
    from raw_counts
    inner join base_counts
        on raw_counts.source_table = base_counts.source_table
)

select * from reconciled
