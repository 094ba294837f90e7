{# Fails with one row per raw pgc table whose rows do not add up (raw = staged +
   quarantined + exact copies removed), or that is missing from the reconciliation. #}

{#- The raw tables of docs/raw_data_contract.md. -#}
{%- set contract_tables = [
    'viewers', 'creators', 'content', 'rewards_enrollments', 'impressions', 'views',
    'engagements', 'follows', 'rewards_payouts', 'experiment_assignments',
] -%}

with

audit_pgc__row_reconciliation as (
    select
        source_table,
        raw_row_count,
        duplicate_row_count,
        staged_row_count,
        quarantined_row_count
    from {{ ref('audit_pgc__row_reconciliation') }}
),

contract_tables as (
    {% for table_name in contract_tables %}
        select '{{ table_name }}' as source_table
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

unbalanced_tables as (
    select
        source_table,
        'raw rows differ from staged + quarantined + duplicates' as failure
    from audit_pgc__row_reconciliation
    where
        raw_row_count
        != staged_row_count + quarantined_row_count + duplicate_row_count
),

missing_tables as (
    select
        contract_tables.source_table,
        'table missing from audit_pgc__row_reconciliation' as failure
    from contract_tables
    left join audit_pgc__row_reconciliation
        on contract_tables.source_table = audit_pgc__row_reconciliation.source_table
    where audit_pgc__row_reconciliation.source_table is null
),

failures as (
    select * from unbalanced_tables
    union all
    select * from missing_tables
)

select * from failures
