{# Grain: one row per valid daily payout to an enrolled creator. #}

-- A view: the heavy work is done once, in the incremental base table.
{{ config(materialized='view') }}

with

base_pgc__rewards_payouts as (
    select
        payout_id,
        creator_id,
        program_id,
        payout_date,
        qualified_view_count,
        rpm_usd,
        payout_usd,
        ingested_at,
        is_late_arriving
    from {{ ref('base_pgc__rewards_payouts') }}
    where quarantine_reason is null
)

select * from base_pgc__rewards_payouts
