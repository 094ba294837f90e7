{# Grain: one row per distinct raw content row, valid or quarantined. #}

with

source_rows as (
    select distinct * from {{ source('pgc', 'content') }}
),

-- Breaks "no joins in staging": the contract's orphan check needs valid parent keys.
base_pgc__creators as (
    select creator_id from {{ ref('base_pgc__creators') }}
    where quarantine_reason is null
),

content_categories as (
    select category_code from {{ ref('content_categories') }}
),

content_tools as (
    select tool_code from {{ ref('content_tools') }}
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
        {{ row_to_json('source_rows') }} as raw_row_json
    from source_rows
),

validated as (
    select
        content_id,
        creator_id,
        category_code,
        format,
        duration_seconds,
        tool_code,
        published_at,
        ingested_at,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when content_id is null or creator_id is null then 'null_key'
            when
                creator_id not in (
                    select base_pgc__creators.creator_id from base_pgc__creators
                )
                then 'orphan_key'
            when
                category_code is null
                or category_code not in (
                    select content_categories.category_code from content_categories
                )
                or format is null
                or format not in ('short', 'long', 'series_episode')
                or tool_code is null
                or tool_code not in (select content_tools.tool_code from content_tools)
                then 'unknown_enum'
            when published_at > ingested_at then 'future_timestamp'
        end as quarantine_reason,
        raw_row_json
    from renamed
)

select * from validated
