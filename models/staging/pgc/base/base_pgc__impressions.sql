{# Grain: one row per distinct raw impressions row, valid or quarantined. #}

with

source_rows as (
    select distinct * from {{ source('pgc', 'impressions') }}
),

-- Breaks "no joins in staging": the contract's orphan check needs valid parent keys.
base_pgc__viewers as (
    select viewer_id from {{ ref('base_pgc__viewers') }}
    where quarantine_reason is null
),

base_pgc__content as (
    select content_id from {{ ref('base_pgc__content') }}
    where quarantine_reason is null
),

surfaces as (
    select surface_code from {{ ref('surfaces') }}
),

renamed as (
    select
        cast(impression_id as bigint) as impression_id,
        cast(viewer_id as string) as viewer_id,
        cast(content_id as string) as content_id,
        {{ normalize_enum('surface_code') }} as surface_code,
        cast(rank_position as int) as rank_position,
        cast(model_version as string) as model_version,
        {{ epoch_ms_to_timestamp('served_ts_ms') }} as served_at,
        {{ epoch_ms_to_timestamp('ingest_ts_ms') }} as ingested_at,
        {{ row_to_json('source_rows') }} as raw_row_json
    from source_rows
),

validated as (
    select
        impression_id,
        viewer_id,
        content_id,
        surface_code,
        rank_position,
        model_version,
        served_at,
        ingested_at,
        {{ flag_late_arrival('served_at') }} as is_late_arriving,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when impression_id is null or viewer_id is null or content_id is null
                then 'null_key'
            when
                viewer_id not in (
                    select base_pgc__viewers.viewer_id from base_pgc__viewers
                )
                or content_id not in (
                    select base_pgc__content.content_id from base_pgc__content
                )
                then 'orphan_key'
            when
                surface_code is null
                or surface_code not in (select surfaces.surface_code from surfaces)
                then 'unknown_enum'
            when served_at > ingested_at then 'future_timestamp'
        end as quarantine_reason,
        raw_row_json
    from renamed
)

select * from validated
