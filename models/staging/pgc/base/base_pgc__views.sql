{# Grain: one row per distinct raw views row, valid or quarantined. #}

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
    {{ distinct_raw_rows('views') }}
),

-- Breaks "no joins in staging": the contract's orphan check needs valid parent keys.
valid_viewers as (
    select distinct viewer_id from {{ ref('base_pgc__viewers') }}
    where quarantine_reason is null
),

valid_content as (
    select distinct content_id from {{ ref('base_pgc__content') }}
    where quarantine_reason is null
),

surfaces as (
    select distinct surface_code from {{ ref('surfaces') }}
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
        {{ row_to_struct('source_rows') }} as raw_row
    from source_rows
),

validated as (
    select
        renamed.view_id,
        renamed.impression_id,
        renamed.viewer_id,
        renamed.content_id,
        renamed.surface_code,
        renamed.watch_ms,
        renamed.is_completed,
        renamed.device_os,
        renamed.app_version,
        renamed.viewed_at,
        renamed.ingested_at,
        {{ flag_late_arrival('renamed.viewed_at', 'renamed.ingested_at') }}
            as is_late_arriving,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when
                renamed.view_id is null
                or renamed.impression_id is null
                or renamed.viewer_id is null
                or renamed.content_id is null
                then 'null_key'
            when
                valid_viewers.viewer_id is null
                or valid_content.content_id is null
                then 'orphan_key'
            when
                surfaces.surface_code is null
                or renamed.device_os is null
                or renamed.device_os not in ('ios', 'android', 'web')
                then 'unknown_enum'
            when renamed.viewed_at > renamed.ingested_at then 'future_timestamp'
            when renamed.watch_ms < 0 then 'negative_watch_time'
            when renamed.watch_ms > {{ var('max_plausible_watch_ms') }}
                then 'absurd_watch_time'
        end as quarantine_reason,
        renamed.raw_row
    from renamed
    left join valid_viewers
        on renamed.viewer_id = valid_viewers.viewer_id
    left join valid_content
        on renamed.content_id = valid_content.content_id
    left join surfaces
        on renamed.surface_code = surfaces.surface_code
),

final as (
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
        cast(ingested_at as date) as ingested_date,
        is_late_arriving,
        quarantine_reason,
        -- Serialized only where kept: a valid row's values are its columns.
        case when quarantine_reason is not null then {{ struct_to_json('raw_row') }} end
            as raw_row_json
    from validated
)

select {{ partition_write_hint() }} * from final
