{# Grain: one row per valid impression, with the view (if any) that started from it. #}

-- The view join lives in int_impressions_enriched, built once incrementally; a
-- view is counted on the day of the impression it started from, so
-- view-through rate is a ratio of the same cohort.
with

int_impressions_enriched as (
    select
        impression_id,
        creator_id,
        content_id,
        impression_date,
        surface_code,
        model_version,
        is_pgc,
        is_new_creator,
        is_viewed,
        watch_ms,
        is_completed
    from {{ ref('int_impressions_enriched') }}
)

select * from int_impressions_enriched
