{# Grain: one row per distinct raw follows row, valid or quarantined. #}

with

source_rows as (
    select distinct * from {{ source('pgc', 'follows') }}
),

-- Breaks "no joins in staging": the contract's orphan check needs valid parent keys.
base_pgc__viewers as (
    select viewer_id from {{ ref('base_pgc__viewers') }}
    where quarantine_reason is null
),

base_pgc__creators as (
    select creator_id from {{ ref('base_pgc__creators') }}
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
        {{ row_to_json('source_rows') }} as raw_row_json
    from source_rows
),

validated as (
    select
        follow_event_id,
        viewer_id,
        creator_id,
        action,
        follow_event_at,
        ingested_at,
        {{ flag_late_arrival('follow_event_at') }} as is_late_arriving,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when follow_event_id is null or viewer_id is null or creator_id is null
                then 'null_key'
            when
                viewer_id not in (
                    select base_pgc__viewers.viewer_id from base_pgc__viewers
                )
                or creator_id not in (
                    select base_pgc__creators.creator_id from base_pgc__creators
                )
                then 'orphan_key'
            when
                action is null
                or action not in ('follow', 'unfollow')
                then 'unknown_enum'
            when follow_event_at > ingested_at then 'future_timestamp'
        end as quarantine_reason,
        raw_row_json
    from renamed
)

select * from validated
