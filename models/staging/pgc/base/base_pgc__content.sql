{# Grain: one row per distinct raw content row, valid or quarantined. #}

with

source_rows as (
    select distinct {{ raw_columns('content') }}
    from {{ source('pgc', 'content') }}
),

-- Breaks "no joins in staging": the contract's orphan check needs valid parent keys.
valid_creators as (
    select distinct creator_id from {{ ref('base_pgc__creators') }}
    where quarantine_reason is null
),

content_categories as (
    select distinct category_code from {{ ref('content_categories') }}
),

content_tools as (
    select distinct tool_code from {{ ref('content_tools') }}
),

renamed as (
    select
        cast(content_id as string) as content_id,
        cast(creator_id as string) as creator_id,
        {{ normalize_enum('category_code') }} as category_code,
        {{ normalize_enum('format') }} as format,
        cast(duration_seconds as int) as duration_seconds,
        {{ normalize_enum('tool_code') }} as tool_code,
        {{ epoch_ms_to_timestamp('published_ts_ms') }} as published_at,
        {{ epoch_ms_to_timestamp('ingest_ts_ms') }} as ingested_at,
        {{ row_to_struct('source_rows') }} as raw_row
    from source_rows
),

validated as (
    select
        renamed.content_id,
        renamed.creator_id,
        renamed.category_code,
        renamed.format,
        renamed.duration_seconds,
        renamed.tool_code,
        renamed.published_at,
        renamed.ingested_at,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when renamed.content_id is null or renamed.creator_id is null
                then 'null_key'
            when valid_creators.creator_id is null then 'orphan_key'
            when
                content_categories.category_code is null
                or renamed.format is null
                or renamed.format not in ('short', 'long', 'series_episode')
                or content_tools.tool_code is null
                then 'unknown_enum'
            when renamed.published_at > renamed.ingested_at then 'future_timestamp'
        end as quarantine_reason,
        renamed.raw_row
    from renamed
    left join valid_creators
        on renamed.creator_id = valid_creators.creator_id
    left join content_categories
        on renamed.category_code = content_categories.category_code
    left join content_tools
        on renamed.tool_code = content_tools.tool_code
),

final as (
    select
        content_id,
        creator_id,
        category_code,
        format,
        duration_seconds,
        tool_code,
        published_at,
        ingested_at,
        quarantine_reason,
        -- Serialized only where kept: a valid row's values are its columns.
        case when quarantine_reason is not null then {{ struct_to_json('raw_row') }} end
            as raw_row_json
    from validated
)

select * from final
