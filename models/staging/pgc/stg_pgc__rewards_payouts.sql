{# Grain: one row per valid daily payout to an enrolled creator. #}

{{
    config(
        materialized='incremental',
        unique_key='payout_date',
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
    )
}}

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
    {% if is_incremental() %}
        -- Re-process the lookback window so late-arriving events land.
        and payout_date >= {{ incremental_since('payout_date') }}
    {% endif %}
)

select * from base_pgc__rewards_payouts
