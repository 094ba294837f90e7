{# Grain: one row per distinct raw engagements row, valid or quarantined. #}

with

source_rows as (
    select distinct * from {{ source('pgc', 'engagements') }}
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

renamed as (
    select
        cast(engagement_id as bigint) as engagement_id,
        cast(view_id as bigint) as view_id,
        cast(viewer_id as string) as viewer_id,
        cast(content_id as string) as content_id,
        {{ normalize_enum('engagement_type') }} as engagement_type,
        {{ epoch_ms_to_timestamp('engaged_ts_ms') }} as engaged_at,
        {{ epoch_ms_to_timestamp('ingest_ts_ms') }} as ingested_at,
        {{ row_to_json('source_rows') }} as raw_row_json
    from source_rows
),

validated as (
    select
        engagement_id,
        view_id,
        viewer_id,
        content_id,
        engagement_type,
        engaged_at,
        ingested_at,
        {{ flag_late_arrival('engaged_at') }} as is_late_arriving,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when
                engagement_id is null
                or view_id is null
                or viewer_id is null
                or content_id is null
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
                engagement_type is null
                or engagement_type not in ('like', 'comment', 'share', 'save')
                then 'unknown_enum'
            when engaged_at > ingested_at then 'future_timestamp'
        end as quarantine_reason,
        raw_row_json
    from renamed
)

select * from validated
