{# Grain: one row per distinct raw viewers row, valid or quarantined. #}

with

source_rows as (
    select distinct {{ raw_columns('viewers') }}
    from {{ source('pgc', 'viewers') }}
),

regions as (
    select distinct region_code from {{ ref('regions') }}
),

renamed as (
    select
        cast(viewer_id as string) as viewer_id,
        {{ normalize_enum('region_code', to_case='upper') }} as region_code,
        {{ epoch_ms_to_timestamp('signup_ts_ms') }} as signed_up_at,
        {{ epoch_ms_to_timestamp('ingest_ts_ms') }} as ingested_at,
        {{ row_to_struct('source_rows') }} as raw_row
    from source_rows
),

validated as (
    select
        renamed.viewer_id,
        renamed.region_code,
        renamed.signed_up_at,
        renamed.ingested_at,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when renamed.viewer_id is null then 'null_key'
            when regions.region_code is null then 'unknown_enum'
        end as quarantine_reason,
        renamed.raw_row
    from renamed
    left join regions
        on renamed.region_code = regions.region_code
),

final as (
    select
        viewer_id,
        region_code,
        signed_up_at,
        ingested_at,
        quarantine_reason,
        -- Serialized only where kept: a valid row's values are its columns.
        case when quarantine_reason is not null then {{ struct_to_json('raw_row') }} end
            as raw_row_json
    from validated
)

select * from final
