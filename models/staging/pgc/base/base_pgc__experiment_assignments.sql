{# Grain: one row per distinct raw experiment_assignments row, valid or quarantined. #}

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
    {{ distinct_raw_rows('experiment_assignments') }}
),

renamed as (
    select
        cast(assignment_id as bigint) as assignment_id,
        cast(experiment_id as string) as experiment_id,
        {{ normalize_enum('unit_type') }} as unit_type,
        cast(unit_id as string) as unit_id,
        {{ normalize_enum('variant') }} as variant,
        {{ epoch_ms_to_timestamp('assigned_ts_ms') }} as assigned_at,
        {{ epoch_ms_to_timestamp('ingest_ts_ms') }} as ingested_at,
        {{ row_to_struct('source_rows') }} as raw_row
    from source_rows
),

validated as (
    select
        assignment_id,
        experiment_id,
        unit_type,
        unit_id,
        variant,
        assigned_at,
        ingested_at,
        {{ flag_late_arrival('assigned_at') }} as is_late_arriving,
        -- The contract's rules, first match wins (docs/raw_data_contract.md).
        case
            when assignment_id is null or experiment_id is null or unit_id is null
                then 'null_key'
            when
                unit_type is null
                or unit_type not in ('viewer', 'creator')
                or variant is null
                or variant not in ('control', 'treatment')
                then 'unknown_enum'
            when assigned_at > ingested_at then 'future_timestamp'
        end as quarantine_reason,
        raw_row
    from renamed
),

final as (
    select
        assignment_id,
        experiment_id,
        unit_type,
        unit_id,
        variant,
        assigned_at,
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
