{# Grain: one row per distinct raw views row, valid or quarantined. #}

with

source_rows as (
    select distinct * from {{ source('pgc', 'views') }}
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
        cast(view_id as bigint) as view_id,
        cast(impression_id as bigint) as impression_id,
        cast(viewer_id as string) as viewer_id,
        cast(content_id as string) as content_id,
        {{ normalize_enum('surface_code') }} as surface_code,
        cast(watch_ms as bigint) as watch_ms,
        cast(is_completed as boolean) as is_completed,
        {{ normalize_enum('device_os') }} as device_os,
        cast(app_version as string) as app_version,
        {{ epoch_ms_to_timestamp('viewed_ts_ms') }} as viewed_at,
        {{ epoch_ms_to_timestamp('ingest_ts_ms') }} as ingested_at,
        {{ row_to_json('source_rows') }} as raw_row_json
    from source_rows
),

validated as (
    select
        view_id,
        impression_id,
        viewer_id,
        content_id,
        surface_code,
        watch_ms,
        is_completed,
        device_os,
        app_version,
        viewed_at,
        ingested_at,
        {{ flag_late_arrival('viewed_at') }} as is_late_arriving,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when
                view_id is null
                or impression_id is null
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
                surface_code is null
                or surface_code not in (select surfaces.surface_code from surfaces)
                or device_os is null
                or device_os not in ('ios', 'android', 'web')
                then 'unknown_enum'
            when viewed_at > ingested_at then 'future_timestamp'
            when watch_ms < 0 then 'negative_watch_time'
            when watch_ms > {{ var('max_plausible_watch_ms') }} then 'absurd_watch_time'
        end as quarantine_reason,
        raw_row_json
    from renamed
)

select * from validated
