{# Grain: one row per distinct raw engagements row, valid or quarantined. #}

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
    {{ distinct_raw_rows('engagements') }}
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

renamed as (
    select
        cast(engagement_id as bigint) as engagement_id,
        cast(view_id as bigint) as view_id,
        cast(viewer_id as string) as viewer_id,
        cast(content_id as string) as content_id,
        {{ normalize_enum('engagement_type') }} as engagement_type,
        {{ epoch_ms_to_timestamp('engaged_ts_ms') }} as engaged_at,
        {{ epoch_ms_to_timestamp('ingest_ts_ms') }} as ingested_at,
        {{ row_to_struct('source_rows') }} as raw_row
    from source_rows
),

validated as (
    select
        renamed.engagement_id,
        renamed.view_id,
        renamed.viewer_id,
        renamed.content_id,
        renamed.engagement_type,
        renamed.engaged_at,
        renamed.ingested_at,
        {{ flag_late_arrival('renamed.engaged_at', 'renamed.ingested_at') }}
            as is_late_arriving,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when
                renamed.engagement_id is null
                or renamed.view_id is null
                or renamed.viewer_id is null
                or renamed.content_id is null
                then 'null_key'
            when
                valid_viewers.viewer_id is null
                or valid_content.content_id is null
                then 'orphan_key'
            when
                renamed.engagement_type is null
                or renamed.engagement_type not in ('like', 'comment', 'share', 'save')
                then 'unknown_enum'
            when renamed.engaged_at > renamed.ingested_at then 'future_timestamp'
        end as quarantine_reason,
        renamed.raw_row
    from renamed
    left join valid_viewers
        on renamed.viewer_id = valid_viewers.viewer_id
    left join valid_content
        on renamed.content_id = valid_content.content_id
),

final as (
    select
        engagement_id,
        view_id,
        viewer_id,
        content_id,
        engagement_type,
        engaged_at,
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
