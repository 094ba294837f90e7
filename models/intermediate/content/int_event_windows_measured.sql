{# Grain: one row: the span of time the event logs cover. #}

-- A table, not a view: `pgc` reads it, and on Spark it reads the tables' files
-- (a Spark view is not a file).
{{ config(materialized='table') }}

with

stg_pgc__impressions as (
    select served_at
    from {{ ref('stg_pgc__impressions') }}
),

stg_pgc__views as (
    select viewed_at
    from {{ ref('stg_pgc__views') }}
),

-- The logs start on the first day anything was served; posts published before
-- it (the backlog) are in the catalog but their early history is not logged.
-- The newest view is the latest moment we have evidence about.
window_measured as (
    select
        (select cast(min(served_at) as date) from stg_pgc__impressions) as first_event_date,
        (select cast(max(served_at) as date) from stg_pgc__impressions) as last_event_date,
        (select max(viewed_at) from stg_pgc__views) as last_viewed_at
)

select * from window_measured
