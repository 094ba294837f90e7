{# Grain: one row per distinct raw viewers row, valid or quarantined. #}

with

source_rows as (
    select distinct * from {{ source('pgc', 'viewers') }}
),

regions as (
    select region_code from {{ ref('regions') }}
),

renamed as (
    select
        cast(viewer_id as string) as viewer_id,
        {{ normalize_enum('region_code', to_case='upper') }} as region_code,
        {{ epoch_ms_to_timestamp('signup_ts_ms') }} as signed_up_at,
        {{ epoch_ms_to_timestamp('ingest_ts_ms') }} as ingested_at,
        {{ row_to_json('source_rows') }} as raw_row_json
    from source_rows
),

validated as (
    select
        viewer_id,
        region_code,
        signed_up_at,
        ingested_at,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when viewer_id is null then 'null_key'
            when
                region_code is null
                or region_code not in (select regions.region_code from regions)
                then 'unknown_enum'
        end as quarantine_reason,
        raw_row_json
    from renamed
)

select * from validated
