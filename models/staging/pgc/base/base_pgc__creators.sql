{# Grain: one row per distinct raw creators row, valid or quarantined. #}

with

source_rows as (
    select distinct {{ raw_columns('creators') }}
    from {{ source('pgc', 'creators') }}
),

creator_types as (
    select distinct creator_type from {{ ref('creator_types') }}
),

regions as (
    select distinct region_code from {{ ref('regions') }}
),

renamed as (
    select
        cast(creator_id as string) as creator_id,
        {{ normalize_enum('creator_type') }} as creator_type,
        {{ normalize_enum('region_code', to_case='upper') }} as region_code,
        cast(is_verified as boolean) as is_verified,
        cast(baseline_follower_count as bigint) as baseline_follower_count,
        {{ epoch_ms_to_timestamp('signup_ts_ms') }} as signed_up_at,
        {{ epoch_ms_to_timestamp('ingest_ts_ms') }} as ingested_at,
        {{ row_to_struct('source_rows') }} as raw_row
    from source_rows
),

validated as (
    select
        renamed.creator_id,
        renamed.creator_type,
        renamed.region_code,
        renamed.is_verified,
        renamed.baseline_follower_count,
        renamed.signed_up_at,
        renamed.ingested_at,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when renamed.creator_id is null then 'null_key'
            when
                creator_types.creator_type is null
                or regions.region_code is null
                then 'unknown_enum'
        end as quarantine_reason,
        renamed.raw_row
    from renamed
    left join creator_types
        on renamed.creator_type = creator_types.creator_type
    left join regions
        on renamed.region_code = regions.region_code
),

final as (
    select
        creator_id,
        creator_type,
        region_code,
        is_verified,
        baseline_follower_count,
        signed_up_at,
        ingested_at,
        quarantine_reason,
        -- Serialized only where kept: a valid row's values are its columns.
        case when quarantine_reason is not null then {{ struct_to_json('raw_row') }} end
            as raw_row_json
    from validated
)

select * from final
