{# Grain: one row per distinct raw rewards_payouts row, valid or quarantined. #}

{{
    config(
        materialized='incremental',
        unique_key='ingested_date',
        partition_by=['ingested_date'],
        incremental_strategy=incremental_strategy(),
        on_schema_change='fail',
    )
}}

with

source_rows as (
    {{ distinct_raw_rows('rewards_payouts') }}
),

renamed as (
    select
        cast(payout_id as bigint) as payout_id,
        cast(creator_id as string) as creator_id,
        cast(program_id as string) as program_id,
        cast(payout_date as date) as payout_date,
        cast(qualified_views as bigint) as qualified_view_count,
        cast(rpm_usd as double) as rpm_usd,
        cast(payout_usd as double) as payout_usd,
        {{ epoch_ms_to_timestamp('ingest_ts_ms') }} as ingested_at,
        {{ row_to_struct('source_rows') }} as raw_row
    from source_rows
),

validated as (
    select
        payout_id,
        creator_id,
        program_id,
        payout_date,
        qualified_view_count,
        rpm_usd,
        payout_usd,
        ingested_at,
        -- A payout's day is over at the next UTC midnight; lateness counts from there.
        {{ flag_late_arrival(dbt.dateadd('day', 1, 'cast(payout_date as timestamp)')) }}
            as is_late_arriving,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when payout_id is null or creator_id is null or program_id is null
                then 'null_key'
            when payout_usd < 0 then 'negative_amount'
        end as quarantine_reason,
        raw_row
    from renamed
),

final as (
    select
        payout_id,
        creator_id,
        program_id,
        payout_date,
        qualified_view_count,
        rpm_usd,
        payout_usd,
        ingested_at,
        cast(ingested_at as date) as ingested_date,
        is_late_arriving,
        quarantine_reason,
        -- Serialized only where kept: a valid row's values are its columns.
        case when quarantine_reason is not null then {{ struct_to_json('raw_row') }} end
            as raw_row_json
    from validated
)

select {{ partition_write_hint() }} * from final
