{# Grain: one row per valid impression, with the view (if any) that started from it. #}

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
        is_new_creator
    from {{ ref('int_impressions_enriched') }}
),

int_views_enriched as (
    select
        impression_id,
        view_date,
        watch_ms,
        is_completed
    from {{ ref('int_views_enriched') }}
),

-- A view is counted on the day of the impression it started from (a play that
-- crosses midnight stays with its impression), so view-through rate is a
-- ratio of the same cohort. Each impression starts at most one view.
impressions_joined_to_views as (
    select
        int_impressions_enriched.impression_id,
        int_impressions_enriched.creator_id,
        int_impressions_enriched.content_id,
        int_impressions_enriched.impression_date,
        int_impressions_enriched.surface_code,
        int_impressions_enriched.model_version,
        int_impressions_enriched.is_pgc,
        int_impressions_enriched.is_new_creator,
        int_views_enriched.impression_id is not null as is_viewed,
        coalesce(int_views_enriched.watch_ms, 0) as watch_ms,
        coalesce(int_views_enriched.is_completed, false) as is_completed
    from int_impressions_enriched
    left join int_views_enriched
        on int_impressions_enriched.impression_id = int_views_enriched.impression_id
)

select * from impressions_joined_to_views
