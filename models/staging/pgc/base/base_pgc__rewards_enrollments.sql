{# Grain: one row per distinct raw rewards_enrollments row, valid or quarantined. #}

with

source_rows as (
    select distinct {{ raw_columns('rewards_enrollments') }}
    from {{ source('pgc', 'rewards_enrollments') }}
),

renamed as (
    select
        cast(enrollment_id as bigint) as enrollment_id,
        cast(creator_id as string) as creator_id,
        cast(program_id as string) as program_id,
        {{ epoch_ms_to_timestamp('enrolled_ts_ms') }} as enrolled_at,
        {{ epoch_ms_to_timestamp('ingest_ts_ms') }} as ingested_at,
        {{ row_to_struct('source_rows') }} as raw_row
    from source_rows
),

validated as (
    select
        enrollment_id,
        creator_id,
        program_id,
        enrolled_at,
        ingested_at,
        {{ flag_late_arrival('enrolled_at') }} as is_late_arriving,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when enrollment_id is null or creator_id is null or program_id is null
                then 'null_key'
            when enrolled_at > ingested_at then 'future_timestamp'
        end as quarantine_reason,
        raw_row
    from renamed
),

final as (
    select
        enrollment_id,
        creator_id,
        program_id,
        enrolled_at,
        ingested_at,
        is_late_arriving,
        quarantine_reason,
        -- Serialized only where kept: a valid row's values are its columns.
        case when quarantine_reason is not null then {{ struct_to_json('raw_row') }} end
            as raw_row_json
    from validated
)

select * from final
