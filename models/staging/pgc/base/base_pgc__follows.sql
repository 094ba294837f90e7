{# Grain: one row per distinct raw follows row, valid or quarantined. #}

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
    {{ distinct_raw_rows('follows') }}
),

-- Breaks "no joins in staging": the contract's orphan check needs valid parent keys.
valid_viewers as (
    select distinct viewer_id from {{ ref('base_pgc__viewers') }}
    where quarantine_reason is null
),

valid_creators as (
    select distinct creator_id from {{ ref('base_pgc__creators') }}
    where quarantine_reason is null
),

renamed as (
    select
        cast(follow_event_id as bigint) as follow_event_id,
        cast(viewer_id as string) as viewer_id,
        cast(creator_id as string) as creator_id,
        {{ normalize_enum('action') }} as action,
        {{ epoch_ms_to_timestamp('event_ts_ms') }} as follow_event_at,
        {{ epoch_ms_to_timestamp('ingest_ts_ms') }} as ingested_at,
        {{ row_to_struct('source_rows') }} as raw_row
    from source_rows
),

validated as (
    select
        renamed.follow_event_id,
        renamed.viewer_id,
        renamed.creator_id,
        renamed.action,
        renamed.follow_event_at,
        renamed.ingested_at,
        {{ flag_late_arrival('renamed.follow_event_at', 'renamed.ingested_at') }}
            as is_late_arriving,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when
                renamed.follow_event_id is null
                or renamed.viewer_id is null
                or renamed.creator_id is null
                then 'null_key'
            when
                valid_viewers.viewer_id is null
                or valid_creators.creator_id is null
                then 'orphan_key'
            when
                renamed.action is null
                or renamed.action not in ('follow', 'unfollow')
                then 'unknown_enum'
            when renamed.follow_event_at > renamed.ingested_at then 'future_timestamp'
        end as quarantine_reason,
        renamed.raw_row
    from renamed
    left join valid_viewers
        on renamed.viewer_id = valid_viewers.viewer_id
    left join valid_creators
        on renamed.creator_id = valid_creators.creator_id
),

final as (
    select
        follow_event_id,
        viewer_id,
        creator_id,
        action,
        follow_event_at,
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
