-- The engine's floor: the heavy part of what `dbt build` does, written as one
-- hand-tuned DuckDB script with no dbt, no tests and no intermediate tables a
-- person would not write. benchmarks/run_benchmark.py replaces {raw} with the
-- raw data folder and times the whole script in one connection.
--
-- Covered: dedupe + validation + quarantine counts of every event table, the
-- valid dimension keys, and the large marts (distribution by surface and
-- model with concentration, distribution totals, content-day, viewer-day,
-- audience-day and creator-day facts, experiment units' during-period views).

create temp table creators as
select distinct
    creator_id,
    lower(trim(creator_type)) as creator_type,
    epoch_ms(signup_ts_ms) as signed_up_at
from read_parquet('{raw}/creators.parquet')
where creator_id is not null
    and lower(trim(creator_type)) in ('professional_studio', 'media', 'individual_pro', 'casual');

create temp table viewers as
select distinct viewer_id, upper(trim(region_code)) as region_code
from read_parquet('{raw}/viewers.parquet')
where viewer_id is not null
    and upper(trim(region_code)) in ('US', 'BR', 'MX', 'GB', 'DE', 'FR', 'IN', 'ID', 'JP', 'KR');

create temp table content as
select distinct
    content.content_id,
    content.creator_id,
    lower(trim(content.category_code)) as category_code,
    epoch_ms(content.published_ts_ms) as published_at,
    creators.creator_type <> 'casual' as is_pgc,
    creators.signed_up_at
from read_parquet('{raw}/content.parquet') as content
join creators on content.creator_id = creators.creator_id
where content.content_id is not null
    and content.published_ts_ms <= content.ingest_ts_ms
    and lower(trim(content.category_code)) in (
        'news', 'sports', 'entertainment', 'education', 'music',
        'gaming', 'food', 'travel', 'comedy', 'beauty'
    );

create temp table impressions as
with distinct_rows as (
    select distinct * from read_parquet('{raw}/impressions/*.parquet')
)
select
    distinct_rows.impression_id,
    distinct_rows.viewer_id,
    distinct_rows.content_id,
    content.creator_id,
    lower(trim(distinct_rows.surface_code)) as surface_code,
    distinct_rows.model_version,
    cast(epoch_ms(distinct_rows.served_ts_ms) as date) as impression_date,
    content.is_pgc,
    epoch_ms(distinct_rows.served_ts_ms) < content.signed_up_at + interval 30 day as is_new_creator
from distinct_rows
join content on distinct_rows.content_id = content.content_id
semi join viewers on distinct_rows.viewer_id = viewers.viewer_id
where distinct_rows.impression_id is not null
    and lower(trim(distinct_rows.surface_code)) in ('for_you', 'following', 'search', 'profile')
    and distinct_rows.served_ts_ms <= distinct_rows.ingest_ts_ms;

create temp table views as
with distinct_rows as (
    select distinct * from read_parquet('{raw}/views/*.parquet')
)
select
    distinct_rows.view_id,
    distinct_rows.impression_id,
    distinct_rows.viewer_id,
    distinct_rows.content_id,
    content.creator_id,
    cast(epoch_ms(distinct_rows.viewed_ts_ms) as date) as view_date,
    lower(trim(distinct_rows.device_os)) as device_os,
    distinct_rows.watch_ms,
    distinct_rows.is_completed
from distinct_rows
join content on distinct_rows.content_id = content.content_id
semi join viewers on distinct_rows.viewer_id = viewers.viewer_id
where distinct_rows.view_id is not null
    and lower(trim(distinct_rows.surface_code)) in ('for_you', 'following', 'search', 'profile')
    and lower(trim(distinct_rows.device_os)) in ('ios', 'android', 'web')
    and distinct_rows.viewed_ts_ms <= distinct_rows.ingest_ts_ms
    and distinct_rows.watch_ms between 0 and 21600000;

create temp table engagements as
select distinct * from read_parquet('{raw}/engagements/*.parquet');

create table quarantine_counts as
select 'impressions' as source_table, count(*) as raw_rows,
    (select count(*) from impressions) as staged_rows
from read_parquet('{raw}/impressions/*.parquet')
union all
select 'views', count(*), (select count(*) from views)
from read_parquet('{raw}/views/*.parquet')
union all
select 'engagements', count(*), (select count(*) from engagements)
from read_parquet('{raw}/engagements/*.parquet');

create temp table impressions_viewed as
select
    impressions.*,
    views.impression_id is not null as is_viewed,
    coalesce(views.watch_ms, 0) as watch_ms,
    coalesce(views.is_completed, false) as is_completed
from impressions
left join views on impressions.impression_id = views.impression_id;

create table distribution_daily as
with per_creator as (
    select impression_date, surface_code, model_version, creator_id, count(*) as impressions
    from impressions_viewed
    group by all
),
concentration as (
    select
        impression_date, surface_code, model_version,
        count(*) as exposed_creators,
        2 * sum(position * impressions) / (count(*) * sum(impressions)) - (count(*) + 1) / count(*)
            as gini
    from (
        select *, row_number() over (
            partition by impression_date, surface_code, model_version order by impressions
        ) as position
        from per_creator
    )
    group by all
)
select
    impressions_viewed.impression_date,
    impressions_viewed.surface_code,
    impressions_viewed.model_version,
    count(*) as impressions,
    count(*) filter (where is_viewed) as views,
    sum(watch_ms) as watch_ms,
    count(*) filter (where is_completed) as completed_views,
    count(*) filter (where is_new_creator) as new_creator_impressions,
    count(*) filter (where is_pgc) as pgc_impressions,
    count(distinct content_id) as shown_posts,
    any_value(concentration.gini) as gini
from impressions_viewed
join concentration using (impression_date, surface_code, model_version)
group by all;

create table distribution_daily_total as
select
    impression_date,
    count(*) as impressions,
    count(*) filter (where is_viewed) as views,
    count(distinct creator_id) as exposed_creators,
    count(distinct content_id) as shown_posts
from impressions_viewed
group by all;

create table content_daily as
select content_id, view_date as activity_date, count(*) as views, sum(watch_ms) as watch_ms,
    count(*) filter (where is_completed) as completed_views
from views
group by all;

create table viewer_daily as
select viewer_id, view_date as activity_date, count(*) as views, sum(watch_ms) as watch_ms,
    arg_max(device_os, 1) as device_os
from views
group by all;

create table audience_daily as
select viewers.region_code, viewer_daily.activity_date, count(*) as active_viewers,
    sum(viewer_daily.views) as views, sum(viewer_daily.watch_ms) as watch_ms
from viewer_daily
join viewers using (viewer_id)
group by all;

create table creator_daily as
select creator_id, view_date, count(*) as views_received, sum(watch_ms) as watch_ms_received
from views
group by all;

create table experiment_units as
with units as (
    select distinct experiment_id, unit_id, lower(trim(variant)) as variant
    from read_parquet('{raw}/experiment_assignments/*.parquet')
    where unit_id is not null and lower(trim(unit_type)) = 'viewer'
)
select units.experiment_id, units.unit_id, units.variant, count(views.view_id) as views
from units
left join views on units.unit_id = views.viewer_id
group by all;
