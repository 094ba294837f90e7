{# Grain: one row per raw pgc table: where its raw rows went. #}

with

{% set raw_tables = get_pgc_raw_tables() %}
raw_counts as (
    {% for raw_table in raw_tables %}
        select
            '{{ raw_table.name }}' as source_table,
            count(*) as raw_row_count
        from {{ source('pgc', raw_table.name) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- Base models hold the distinct raw rows.
distinct_counts as (
    {% for raw_table in raw_tables %}
        select
            '{{ raw_table.name }}' as source_table,
            count(*) as distinct_row_count
        from {{ ref('base_pgc__' ~ raw_table.name) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

staged_counts as (
    {% for raw_table in raw_tables %}
        select
            '{{ raw_table.name }}' as source_table,
            count(*) as staged_row_count
        from {{ ref(raw_table.staged_model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

stg_pgc__quarantined_rows as (
    select
        source_table,
        count(*) as quarantined_row_count
    from {{ ref('stg_pgc__quarantined_rows') }}
    group by source_table
),

reconciled as (
    select
        raw_counts.source_table,
        raw_counts.raw_row_count,
        raw_counts.raw_row_count - distinct_counts.distinct_row_count
            as duplicate_row_count,
        staged_counts.staged_row_count,
        coalesce(stg_pgc__quarantined_rows.quarantined_row_count, 0)
            as quarantined_row_count
    from raw_counts
    inner join distinct_counts
        on raw_counts.source_table = distinct_counts.source_table
    inner join staged_counts
        on raw_counts.source_table = staged_counts.source_table
    left join stg_pgc__quarantined_rows
        on raw_counts.source_table = stg_pgc__quarantined_rows.source_table
)

select * from reconciled
