{# Grain: one row per distinct raw creators row, valid or quarantined. #}

with

source_rows as (
    select distinct * from {{ source('pgc', 'creators') }}
),

creator_types as (
    select creator_type from {{ ref('creator_types') }}
),

regions as (
    select region_code from {{ ref('regions') }}
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
        {{ row_to_json('source_rows') }} as raw_row_json
    from source_rows
),

validated as (
    select
        creator_id,
        creator_type,
        region_code,
        is_verified,
        baseline_follower_count,
        signed_up_at,
        ingested_at,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when creator_id is null then 'null_key'
            when
                creator_type is null
                or creator_type not in (
                    select creator_types.creator_type from creator_types
                )
                or region_code is null
                or region_code not in (select regions.region_code from regions)
                then 'unknown_enum'
        end as quarantine_reason,
        raw_row_json
    from renamed
)

select * from validated
