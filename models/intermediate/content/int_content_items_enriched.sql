{# Grain: one row per valid post, with its creator's type and signup status. #}

-- The post attributes the content marts slice by, joined once here: dim_content
-- adds lifetime activity to them, the cold-start and tool marts read them.

with

stg_pgc__content_items as (
    select
        content_id,
        creator_id,
        category_code,
        format,
        duration_seconds,
        tool_code,
        published_at
    from {{ ref('stg_pgc__content_items') }}
),

stg_pgc__creators as (
    select
        creator_id,
        creator_type,
        signed_up_at
    from {{ ref('stg_pgc__creators') }}
),

creator_types as (
    select
        creator_type,
        is_pgc
    from {{ ref('creator_types') }}
),

content_items_enriched as (
    select
        stg_pgc__content_items.content_id,
        stg_pgc__content_items.creator_id,
        stg_pgc__creators.creator_type,
        creator_types.is_pgc,
        stg_pgc__content_items.category_code,
        stg_pgc__content_items.format,
        stg_pgc__content_items.duration_seconds,
        stg_pgc__content_items.tool_code,
        stg_pgc__content_items.published_at,
        cast(stg_pgc__content_items.published_at as date) as published_date,
        stg_pgc__content_items.published_at < {{
            dbt.dateadd('day', var('new_creator_days'), 'stg_pgc__creators.signed_up_at')
        }} as is_posted_by_new_creator
    from stg_pgc__content_items
    inner join stg_pgc__creators
        on stg_pgc__content_items.creator_id = stg_pgc__creators.creator_id
    inner join creator_types
        on stg_pgc__creators.creator_type = creator_types.creator_type
)

select * from content_items_enriched
