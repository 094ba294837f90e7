-- The engine's floor: everything `dbt run` builds, written as one hand-tuned
-- DuckDB script with no dbt and no tests. benchmarks/run_benchmark.py
-- replaces {raw} with the raw data folder and {seeds} with seeds/, and times
-- the whole script in one connection; benchmarks/verify_floor.py checks that
-- every table it leaves behind holds the same rows and values as the dbt
-- table of the same name (tests/python/test_benchmark_floor.py runs it).
--
-- Built: the staging validation (one table per raw table with its
-- quarantine reason), audit_pgc__quarantined_rows, audit_pgc__row_reconciliation,
-- the 21 marts, metric_time_spine_daily and metric_daily. Left out:
-- metric_catalogue and metric_tree (about fifty rows of literals dbt writes
-- from its graph; no data work). Intermediate tables hold what more than one
-- output reads; nothing else is materialized. They are persisted tables in the
-- floor's database file, compressed as dbt's persisted tables are: as temp
-- tables they spill uncompressed, which at the large scale outgrew the disk.

-- ---------------------------------------------------------------- seeds

create table creator_types as
select * from read_csv('{seeds}/creator_types.csv');

create table regions as
select * from read_csv('{seeds}/regions.csv');

create table content_categories as
select * from read_csv('{seeds}/content_categories.csv');

create table content_tools as
select * from read_csv('{seeds}/content_tools.csv');

create table surfaces as
select * from read_csv('{seeds}/surfaces.csv');

create table rewards_program_rules as
select * from read_csv('{seeds}/rewards_program_rules.csv');

create table experiment_registry as
select * from read_csv('{seeds}/experiment_registry.csv');

-- ---------------------------------------------------------------- staging
-- Each base table: the distinct raw rows, renamed and cast, with the first
-- contract rule each breaks (null when valid) and, for quarantined rows only,
-- the raw row as JSON. Enum checks are written `coalesce(x in (...), false)`
-- so that a null value is quarantined, as dbt's left join to the seed does.

create table base_viewers as
with source_rows as (
    select distinct * from read_parquet('{raw}/viewers.parquet')
),

renamed as (
    select
        cast(viewer_id as varchar) as viewer_id,
        upper(trim(region_code)) as region_code,
        epoch_ms(cast(signup_ts_ms as bigint)) as signed_up_at,
        epoch_ms(cast(ingest_ts_ms as bigint)) as ingested_at,
        source_rows as raw_row
    from source_rows
)

select
    * exclude (raw_row, quarantine_reason),
    quarantine_reason,
    case when quarantine_reason is not null then to_json(raw_row) end as raw_row_json
from (
    select
        *,
        case
            when viewer_id is null then 'null_key'
            when not coalesce(region_code in (select region_code from regions), false)
                then 'unknown_enum'
        end as quarantine_reason
    from renamed
);

create table base_creators as
with source_rows as (
    select distinct * from read_parquet('{raw}/creators.parquet')
),

renamed as (
    select
        cast(creator_id as varchar) as creator_id,
        lower(trim(creator_type)) as creator_type,
        upper(trim(region_code)) as region_code,
        cast(is_verified as boolean) as is_verified,
        cast(baseline_follower_count as bigint) as baseline_follower_count,
        epoch_ms(cast(signup_ts_ms as bigint)) as signed_up_at,
        epoch_ms(cast(ingest_ts_ms as bigint)) as ingested_at,
        source_rows as raw_row
    from source_rows
)

select
    * exclude (raw_row, quarantine_reason),
    quarantine_reason,
    case when quarantine_reason is not null then to_json(raw_row) end as raw_row_json
from (
    select
        *,
        case
            when creator_id is null then 'null_key'
            when
                not coalesce(creator_type in (select creator_type from creator_types), false)
                or not coalesce(region_code in (select region_code from regions), false)
                then 'unknown_enum'
        end as quarantine_reason
    from renamed
);

create table creators as
select
    base_creators.* exclude (quarantine_reason, raw_row_json),
    creator_types.is_pgc
from base_creators
inner join creator_types on base_creators.creator_type = creator_types.creator_type
where base_creators.quarantine_reason is null;

create table viewers as
select viewer_id, region_code
from base_viewers
where quarantine_reason is null;

create table base_content as
with source_rows as (
    select distinct * from read_parquet('{raw}/content.parquet')
),

renamed as (
    select
        cast(content_id as varchar) as content_id,
        cast(creator_id as varchar) as creator_id,
        lower(trim(category_code)) as category_code,
        lower(trim(format)) as format,
        cast(duration_seconds as int) as duration_seconds,
        lower(trim(tool_code)) as tool_code,
        epoch_ms(cast(published_ts_ms as bigint)) as published_at,
        epoch_ms(cast(ingest_ts_ms as bigint)) as ingested_at,
        source_rows as raw_row
    from source_rows
)

select
    * exclude (raw_row, quarantine_reason),
    quarantine_reason,
    case when quarantine_reason is not null then to_json(raw_row) end as raw_row_json
from (
    select
        *,
        case
            when content_id is null or creator_id is null then 'null_key'
            when not coalesce(creator_id in (select creator_id from creators), false)
                then 'orphan_key'
            when
                not coalesce(
                    category_code in (select category_code from content_categories), false
                )
                or not coalesce(format in ('short', 'long', 'series_episode'), false)
                or not coalesce(tool_code in (select tool_code from content_tools), false)
                then 'unknown_enum'
            when published_at > ingested_at then 'future_timestamp'
        end as quarantine_reason
    from renamed
);

create table content as
select
    base_content.content_id,
    base_content.creator_id,
    base_content.category_code,
    base_content.format,
    base_content.duration_seconds,
    base_content.tool_code,
    base_content.published_at,
    cast(base_content.published_at as date) as published_date,
    creators.creator_type,
    creators.is_pgc,
    creators.signed_up_at as creator_signed_up_at,
    creators.region_code as creator_region_code
from base_content
inner join creators on base_content.creator_id = creators.creator_id
where base_content.quarantine_reason is null;

create table base_rewards_enrollments as
with source_rows as (
    select distinct * from read_parquet('{raw}/rewards_enrollments.parquet')
),

renamed as (
    select
        cast(enrollment_id as bigint) as enrollment_id,
        cast(creator_id as varchar) as creator_id,
        cast(program_id as varchar) as program_id,
        epoch_ms(cast(enrolled_ts_ms as bigint)) as enrolled_at,
        epoch_ms(cast(ingest_ts_ms as bigint)) as ingested_at,
        source_rows as raw_row
    from source_rows
)

select
    * exclude (raw_row, quarantine_reason),
    quarantine_reason,
    case when quarantine_reason is not null then to_json(raw_row) end as raw_row_json
from (
    select
        *,
        case
            when enrollment_id is null or creator_id is null or program_id is null
                then 'null_key'
            when enrolled_at > ingested_at then 'future_timestamp'
        end as quarantine_reason
    from renamed
);

-- The event tables: the valid-key lookups are semi-joins on small tables.
create table base_impressions as
with source_rows as (
    select distinct * from read_parquet('{raw}/impressions/*.parquet')
),

renamed as (
    select
        cast(impression_id as bigint) as impression_id,
        cast(viewer_id as varchar) as viewer_id,
        cast(content_id as varchar) as content_id,
        lower(trim(surface_code)) as surface_code,
        cast(model_version as varchar) as model_version,
        epoch_ms(cast(served_ts_ms as bigint)) as served_at,
        epoch_ms(cast(ingest_ts_ms as bigint)) as ingested_at,
        source_rows as raw_row
    from source_rows
)

select
    * exclude (raw_row, quarantine_reason),
    quarantine_reason,
    case when quarantine_reason is not null then to_json(raw_row) end as raw_row_json
from (
    select
        *,
        case
            when impression_id is null or viewer_id is null or content_id is null
                then 'null_key'
            when
                not coalesce(viewer_id in (select viewer_id from viewers), false)
                or not coalesce(content_id in (select content_id from content), false)
                then 'orphan_key'
            when not coalesce(surface_code in (select surface_code from surfaces), false)
                then 'unknown_enum'
            when served_at > ingested_at then 'future_timestamp'
        end as quarantine_reason
    from renamed
);

create table base_views as
with source_rows as (
    select distinct * from read_parquet('{raw}/views/*.parquet')
),

renamed as (
    select
        cast(view_id as bigint) as view_id,
        cast(impression_id as bigint) as impression_id,
        cast(viewer_id as varchar) as viewer_id,
        cast(content_id as varchar) as content_id,
        lower(trim(surface_code)) as surface_code,
        cast(watch_ms as bigint) as watch_ms,
        cast(is_completed as boolean) as is_completed,
        lower(trim(device_os)) as device_os,
        cast(app_version as varchar) as app_version,
        epoch_ms(cast(viewed_ts_ms as bigint)) as viewed_at,
        epoch_ms(cast(ingest_ts_ms as bigint)) as ingested_at,
        source_rows as raw_row
    from source_rows
)

select
    * exclude (raw_row, quarantine_reason),
    quarantine_reason,
    case when quarantine_reason is not null then to_json(raw_row) end as raw_row_json
from (
    select
        *,
        case
            when
                view_id is null or impression_id is null
                or viewer_id is null or content_id is null
                then 'null_key'
            when
                not coalesce(viewer_id in (select viewer_id from viewers), false)
                or not coalesce(content_id in (select content_id from content), false)
                then 'orphan_key'
            when
                not coalesce(surface_code in (select surface_code from surfaces), false)
                or not coalesce(device_os in ('ios', 'android', 'web'), false)
                then 'unknown_enum'
            when viewed_at > ingested_at then 'future_timestamp'
            when watch_ms < 0 then 'negative_watch_time'
            when watch_ms > 21600000 then 'absurd_watch_time'
        end as quarantine_reason
    from renamed
);

create table base_engagements as
with source_rows as (
    select distinct * from read_parquet('{raw}/engagements/*.parquet')
),

renamed as (
    select
        cast(engagement_id as bigint) as engagement_id,
        cast(view_id as bigint) as view_id,
        cast(viewer_id as varchar) as viewer_id,
        cast(content_id as varchar) as content_id,
        lower(trim(engagement_type)) as engagement_type,
        epoch_ms(cast(engaged_ts_ms as bigint)) as engaged_at,
        epoch_ms(cast(ingest_ts_ms as bigint)) as ingested_at,
        source_rows as raw_row
    from source_rows
)

select
    * exclude (raw_row, quarantine_reason),
    quarantine_reason,
    case when quarantine_reason is not null then to_json(raw_row) end as raw_row_json
from (
    select
        *,
        case
            when
                engagement_id is null or view_id is null
                or viewer_id is null or content_id is null
                then 'null_key'
            when
                not coalesce(viewer_id in (select viewer_id from viewers), false)
                or not coalesce(content_id in (select content_id from content), false)
                then 'orphan_key'
            when
                not coalesce(engagement_type in ('like', 'comment', 'share', 'save'), false)
                then 'unknown_enum'
            when engaged_at > ingested_at then 'future_timestamp'
        end as quarantine_reason
    from renamed
);

create table base_follows as
with source_rows as (
    select distinct * from read_parquet('{raw}/follows/*.parquet')
),

renamed as (
    select
        cast(follow_event_id as bigint) as follow_event_id,
        cast(viewer_id as varchar) as viewer_id,
        cast(creator_id as varchar) as creator_id,
        lower(trim(action)) as action,
        epoch_ms(cast(event_ts_ms as bigint)) as follow_event_at,
        epoch_ms(cast(ingest_ts_ms as bigint)) as ingested_at,
        source_rows as raw_row
    from source_rows
)

select
    * exclude (raw_row, quarantine_reason),
    quarantine_reason,
    case when quarantine_reason is not null then to_json(raw_row) end as raw_row_json
from (
    select
        *,
        case
            when follow_event_id is null or viewer_id is null or creator_id is null
                then 'null_key'
            when
                not coalesce(viewer_id in (select viewer_id from viewers), false)
                or not coalesce(creator_id in (select creator_id from creators), false)
                then 'orphan_key'
            when not coalesce(action in ('follow', 'unfollow'), false) then 'unknown_enum'
            when follow_event_at > ingested_at then 'future_timestamp'
        end as quarantine_reason
    from renamed
);

create table base_rewards_payouts as
with source_rows as (
    select distinct * from read_parquet('{raw}/rewards_payouts/*.parquet')
),

renamed as (
    select
        cast(payout_id as bigint) as payout_id,
        cast(creator_id as varchar) as creator_id,
        cast(program_id as varchar) as program_id,
        cast(payout_date as date) as payout_date,
        cast(qualified_views as bigint) as qualified_view_count,
        cast(rpm_usd as double) as rpm_usd,
        cast(payout_usd as double) as payout_usd,
        epoch_ms(cast(ingest_ts_ms as bigint)) as ingested_at,
        source_rows as raw_row
    from source_rows
)

select
    * exclude (raw_row, quarantine_reason),
    quarantine_reason,
    case when quarantine_reason is not null then to_json(raw_row) end as raw_row_json
from (
    select
        *,
        case
            when payout_id is null or creator_id is null or program_id is null
                then 'null_key'
            when payout_usd < 0 then 'negative_amount'
        end as quarantine_reason
    from renamed
);

create table base_experiment_assignments as
with source_rows as (
    select distinct * from read_parquet('{raw}/experiment_assignments/*.parquet')
),

renamed as (
    select
        cast(assignment_id as bigint) as assignment_id,
        cast(experiment_id as varchar) as experiment_id,
        lower(trim(unit_type)) as unit_type,
        cast(unit_id as varchar) as unit_id,
        lower(trim(variant)) as variant,
        epoch_ms(cast(assigned_ts_ms as bigint)) as assigned_at,
        epoch_ms(cast(ingest_ts_ms as bigint)) as ingested_at,
        source_rows as raw_row
    from source_rows
)

select
    * exclude (raw_row, quarantine_reason),
    quarantine_reason,
    case when quarantine_reason is not null then to_json(raw_row) end as raw_row_json
from (
    select
        *,
        case
            when assignment_id is null or experiment_id is null or unit_id is null
                then 'null_key'
            when
                not coalesce(unit_type in ('viewer', 'creator'), false)
                or not coalesce(variant in ('control', 'treatment'), false)
                then 'unknown_enum'
            when assigned_at > ingested_at then 'future_timestamp'
        end as quarantine_reason
    from renamed
);

-- A view, as dbt builds it on DuckDB (macros/quarantine/quarantine_materialization.sql).
create view audit_pgc__quarantined_rows as
with quarantined as (
    select
        'viewers' as source_table, viewer_id as record_id, quarantine_reason,
        raw_row_json, ingested_at
    from base_viewers where quarantine_reason is not null
    union all
    select 'creators', creator_id, quarantine_reason, raw_row_json, ingested_at
    from base_creators where quarantine_reason is not null
    union all
    select 'content', content_id, quarantine_reason, raw_row_json, ingested_at
    from base_content where quarantine_reason is not null
    union all
    select
        'rewards_enrollments', cast(enrollment_id as varchar), quarantine_reason,
        raw_row_json, ingested_at
    from base_rewards_enrollments where quarantine_reason is not null
    union all
    select
        'impressions', cast(impression_id as varchar), quarantine_reason,
        raw_row_json, ingested_at
    from base_impressions where quarantine_reason is not null
    union all
    select 'views', cast(view_id as varchar), quarantine_reason, raw_row_json, ingested_at
    from base_views where quarantine_reason is not null
    union all
    select
        'engagements', cast(engagement_id as varchar), quarantine_reason,
        raw_row_json, ingested_at
    from base_engagements where quarantine_reason is not null
    union all
    select
        'follows', cast(follow_event_id as varchar), quarantine_reason,
        raw_row_json, ingested_at
    from base_follows where quarantine_reason is not null
    union all
    select
        'rewards_payouts', cast(payout_id as varchar), quarantine_reason,
        raw_row_json, ingested_at
    from base_rewards_payouts where quarantine_reason is not null
    union all
    select
        'experiment_assignments', cast(assignment_id as varchar), quarantine_reason,
        raw_row_json, ingested_at
    from base_experiment_assignments where quarantine_reason is not null
)

select
    md5(source_table || '|' || raw_row_json) as quarantined_row_id,
    *
from quarantined;

create table audit_pgc__row_reconciliation as
with raw_counts as (
    select 'viewers' as source_table, 'stg_pgc__viewers' as staged_model,
        count(*) as raw_row_count
    from read_parquet('{raw}/viewers.parquet')
    union all
    select 'creators', 'stg_pgc__creators', count(*)
    from read_parquet('{raw}/creators.parquet')
    union all
    select 'content', 'stg_pgc__content_items', count(*)
    from read_parquet('{raw}/content.parquet')
    union all
    select 'rewards_enrollments', 'stg_pgc__rewards_enrollments', count(*)
    from read_parquet('{raw}/rewards_enrollments.parquet')
    union all
    select 'impressions', 'stg_pgc__impressions', count(*)
    from read_parquet('{raw}/impressions/*.parquet')
    union all
    select 'views', 'stg_pgc__views', count(*) from read_parquet('{raw}/views/*.parquet')
    union all
    select 'engagements', 'stg_pgc__engagements', count(*)
    from read_parquet('{raw}/engagements/*.parquet')
    union all
    select 'follows', 'stg_pgc__follow_events', count(*)
    from read_parquet('{raw}/follows/*.parquet')
    union all
    select 'rewards_payouts', 'stg_pgc__rewards_payouts', count(*)
    from read_parquet('{raw}/rewards_payouts/*.parquet')
    union all
    select 'experiment_assignments', 'stg_pgc__experiment_assignments', count(*)
    from read_parquet('{raw}/experiment_assignments/*.parquet')
),

base_counts as (
    select 'viewers' as source_table, count(*) as distinct_row_count,
        count(quarantine_reason) as quarantined_row_count
    from base_viewers
    union all
    select 'creators', count(*), count(quarantine_reason) from base_creators
    union all
    select 'content', count(*), count(quarantine_reason) from base_content
    union all
    select 'rewards_enrollments', count(*), count(quarantine_reason)
    from base_rewards_enrollments
    union all
    select 'impressions', count(*), count(quarantine_reason) from base_impressions
    union all
    select 'views', count(*), count(quarantine_reason) from base_views
    union all
    select 'engagements', count(*), count(quarantine_reason) from base_engagements
    union all
    select 'follows', count(*), count(quarantine_reason) from base_follows
    union all
    select 'rewards_payouts', count(*), count(quarantine_reason) from base_rewards_payouts
    union all
    select 'experiment_assignments', count(*), count(quarantine_reason)
    from base_experiment_assignments
)

select
    raw_counts.source_table,
    raw_counts.staged_model,
    raw_counts.raw_row_count,
    raw_counts.raw_row_count - base_counts.distinct_row_count as duplicate_row_count,
    base_counts.distinct_row_count - base_counts.quarantined_row_count as staged_row_count,
    base_counts.quarantined_row_count
from raw_counts
inner join base_counts on raw_counts.source_table = base_counts.source_table;

-- ---------------------------------------------------------------- valid events
-- Orphans are quarantined, so these inner joins to content and viewers drop
-- no valid row; the base tables are not needed once these exist.

create table views as
select
    base_views.view_id,
    base_views.impression_id,
    base_views.viewer_id,
    base_views.content_id,
    content.creator_id,
    base_views.viewed_at,
    cast(base_views.viewed_at as date) as view_date,
    base_views.surface_code,
    base_views.device_os,
    base_views.app_version,
    viewers.region_code as viewer_region_code,
    content.creator_region_code,
    base_views.watch_ms,
    base_views.is_completed
from base_views
inner join content on base_views.content_id = content.content_id
inner join viewers on base_views.viewer_id = viewers.viewer_id
where base_views.quarantine_reason is null;

-- Each impression with the view (if any) that started from it, and the view's
-- device and app version (null when nobody watched).
create table impressions as
select
    base_impressions.impression_id,
    base_impressions.viewer_id,
    base_impressions.content_id,
    content.creator_id,
    base_impressions.served_at,
    cast(base_impressions.served_at as date) as impression_date,
    base_impressions.surface_code,
    base_impressions.model_version,
    viewers.region_code as viewer_region_code,
    content.is_pgc,
    base_impressions.served_at < content.creator_signed_up_at + interval 30 day
        as is_new_creator,
    views.impression_id is not null as is_viewed,
    views.view_id,
    views.device_os,
    views.app_version,
    coalesce(views.watch_ms, 0) as watch_ms,
    coalesce(views.is_completed, false) as is_completed
from base_impressions
inner join content on base_impressions.content_id = content.content_id
inner join viewers on base_impressions.viewer_id = viewers.viewer_id
left join views on base_impressions.impression_id = views.impression_id
where base_impressions.quarantine_reason is null;

create table engagements as
select
    view_id,
    viewer_id,
    content_id,
    engagement_type,
    engaged_at,
    cast(engaged_at as date) as engagement_date
from base_engagements
where quarantine_reason is null;

create table follows as
select
    viewer_id,
    creator_id,
    action,
    cast(follow_event_at as date) as follow_event_date
from base_follows
where quarantine_reason is null;

create table event_window as
select
    (select cast(min(served_at) as date) from impressions) as first_event_date,
    (select max(viewed_at) from views) as last_viewed_at;

-- ---------------------------------------------------------------- content

create table fct_content_daily as
with impressions_per_post_day as (
    select content_id, impression_date as activity_date, count(*) as impression_count
    from impressions
    group by content_id, impression_date
),

views_per_post_day as (
    select
        content_id,
        view_date as activity_date,
        count(*) as view_count,
        count(*) filter (where is_completed) as completed_view_count,
        sum(watch_ms) as watch_ms
    from views
    group by content_id, view_date
),

engagements_per_post_day as (
    select
        content_id,
        engagement_date as activity_date,
        count(*) filter (where engagement_type = 'like') as like_count,
        count(*) filter (where engagement_type = 'comment') as comment_count,
        count(*) filter (where engagement_type = 'share') as share_count,
        count(*) filter (where engagement_type = 'save') as save_count
    from engagements
    group by content_id, engagement_date
)

select
    content_id,
    content.creator_id,
    activity_date,
    coalesce(impressions_per_post_day.impression_count, 0) as impression_count,
    coalesce(views_per_post_day.view_count, 0) as view_count,
    coalesce(views_per_post_day.completed_view_count, 0) as completed_view_count,
    cast(coalesce(views_per_post_day.watch_ms, 0) as bigint) as watch_ms,
    coalesce(engagements_per_post_day.like_count, 0) as like_count,
    coalesce(engagements_per_post_day.comment_count, 0) as comment_count,
    coalesce(engagements_per_post_day.share_count, 0) as share_count,
    coalesce(engagements_per_post_day.save_count, 0) as save_count
from impressions_per_post_day
full outer join views_per_post_day using (content_id, activity_date)
full outer join engagements_per_post_day using (content_id, activity_date)
inner join content using (content_id);

create table dim_content as
with lifetime_activity as (
    select
        content_id,
        sum(impression_count) as impression_count,
        sum(view_count) as view_count,
        sum(completed_view_count) as completed_view_count,
        sum(watch_ms) as watch_ms,
        sum(like_count) as like_count,
        sum(comment_count) as comment_count,
        sum(share_count) as share_count,
        sum(save_count) as save_count
    from fct_content_daily
    group by content_id
)

select
    content.content_id,
    content.creator_id,
    content.creator_type,
    content.is_pgc,
    content.category_code,
    content.format,
    content.duration_seconds,
    content.tool_code,
    content.published_at,
    content.published_date,
    content.published_at < content.creator_signed_up_at + interval 30 day
        as is_posted_by_new_creator,
    cast(coalesce(lifetime_activity.impression_count, 0) as bigint) as impression_count,
    cast(coalesce(lifetime_activity.view_count, 0) as bigint) as view_count,
    cast(coalesce(lifetime_activity.completed_view_count, 0) as bigint)
        as completed_view_count,
    cast(coalesce(lifetime_activity.watch_ms, 0) as bigint) as watch_ms,
    cast(coalesce(lifetime_activity.like_count, 0) as bigint) as like_count,
    cast(coalesce(lifetime_activity.comment_count, 0) as bigint) as comment_count,
    cast(coalesce(lifetime_activity.share_count, 0) as bigint) as share_count,
    cast(coalesce(lifetime_activity.save_count, 0) as bigint) as save_count
from content
left join lifetime_activity on content.content_id = lifetime_activity.content_id;

-- Windows are half-open: [published_at, published_at + 24 h / 72 h).
create table fct_content_cold_start as
with posts_in_window as (
    select
        dim_content.*,
        dim_content.published_at + interval 24 hour as first_24h_end_at,
        dim_content.published_at + interval 72 hour as first_72h_end_at,
        dim_content.published_at + interval 72 hour <= event_window.last_viewed_at
            as is_72h_window_complete
    from dim_content
    cross join event_window
    where dim_content.published_date >= event_window.first_event_date
),

impressions_counted as (
    select
        posts_in_window.content_id,
        count(*) filter (where impressions.served_at < posts_in_window.first_24h_end_at)
            as impression_count_24h,
        count(*) as impression_count_72h
    from posts_in_window
    inner join impressions
        on
            posts_in_window.content_id = impressions.content_id
            and impressions.served_at >= posts_in_window.published_at
            and impressions.served_at < posts_in_window.first_72h_end_at
    group by posts_in_window.content_id
),

views_counted as (
    select
        posts_in_window.content_id,
        count(*) filter (where views.viewed_at < posts_in_window.first_24h_end_at)
            as view_count_24h,
        count(*) filter (
            where views.viewed_at < posts_in_window.first_24h_end_at and views.is_completed
        ) as completed_view_count_24h,
        count(*) as view_count_72h,
        count(*) filter (where views.is_completed) as completed_view_count_72h
    from posts_in_window
    inner join views
        on
            posts_in_window.content_id = views.content_id
            and views.viewed_at >= posts_in_window.published_at
            and views.viewed_at < posts_in_window.first_72h_end_at
    group by posts_in_window.content_id
),

shares_counted as (
    select
        posts_in_window.content_id,
        count(*) filter (where engagements.engaged_at < posts_in_window.first_24h_end_at)
            as share_count_24h,
        count(*) as share_count_72h
    from posts_in_window
    inner join engagements
        on
            posts_in_window.content_id = engagements.content_id
            and engagements.engagement_type = 'share'
            and engagements.engaged_at >= posts_in_window.published_at
            and engagements.engaged_at < posts_in_window.first_72h_end_at
    group by posts_in_window.content_id
)

select
    posts_in_window.content_id,
    posts_in_window.creator_id,
    posts_in_window.creator_type,
    posts_in_window.is_pgc,
    posts_in_window.is_posted_by_new_creator,
    posts_in_window.category_code,
    posts_in_window.format,
    posts_in_window.tool_code,
    posts_in_window.published_at,
    posts_in_window.published_date,
    posts_in_window.is_72h_window_complete,
    coalesce(impressions_counted.impression_count_24h, 0) as impression_count_24h,
    coalesce(views_counted.view_count_24h, 0) as view_count_24h,
    coalesce(views_counted.completed_view_count_24h, 0) as completed_view_count_24h,
    coalesce(shares_counted.share_count_24h, 0) as share_count_24h,
    coalesce(impressions_counted.impression_count_72h, 0) as impression_count_72h,
    coalesce(views_counted.view_count_72h, 0) as view_count_72h,
    coalesce(views_counted.completed_view_count_72h, 0) as completed_view_count_72h,
    coalesce(shares_counted.share_count_72h, 0) as share_count_72h,
    views_counted.completed_view_count_24h / nullif(views_counted.view_count_24h, 0)
        as completion_rate_24h,
    views_counted.completed_view_count_72h / nullif(views_counted.view_count_72h, 0)
        as completion_rate_72h
from posts_in_window
left join impressions_counted on posts_in_window.content_id = impressions_counted.content_id
left join views_counted on posts_in_window.content_id = views_counted.content_id
left join shares_counted on posts_in_window.content_id = shares_counted.content_id;

create table fct_tool_usage_daily as
with posts_in_window as (
    select dim_content.creator_id, dim_content.tool_code, dim_content.published_date
    from dim_content
    cross join event_window
    where dim_content.published_date >= event_window.first_event_date
),

posts_per_day as (
    select
        published_date,
        count(*) as all_post_count,
        count(distinct creator_id) as posting_creator_count
    from posts_in_window
    group by published_date
),

posts_per_day_and_tool as (
    select
        published_date,
        tool_code,
        count(*) as post_count,
        count(distinct creator_id) as creator_count
    from posts_in_window
    group by published_date, tool_code
)

select
    posts_per_day.published_date,
    content_tools.tool_code,
    coalesce(posts_per_day_and_tool.post_count, 0) as post_count,
    coalesce(posts_per_day_and_tool.creator_count, 0) as creator_count,
    posts_per_day.all_post_count,
    posts_per_day.posting_creator_count,
    coalesce(posts_per_day_and_tool.post_count, 0) / posts_per_day.all_post_count
        as share_of_posts,
    posts_per_day_and_tool.post_count / nullif(posts_per_day_and_tool.creator_count, 0)
        as posts_per_using_creator
from posts_per_day
cross join content_tools
left join posts_per_day_and_tool
    on
        posts_per_day.published_date = posts_per_day_and_tool.published_date
        and content_tools.tool_code = posts_per_day_and_tool.tool_code;

create table fct_tool_adoption as
with first_uses as (
    select
        creator_id,
        creator_type,
        is_pgc,
        tool_code,
        min(published_at) as first_used_at,
        count(*) as post_count_with_tool
    from dim_content
    where tool_code != 'none'
    group by creator_id, creator_type, is_pgc, tool_code
),

-- Posts of any tool around the first use; the first-use post is in neither window.
posts_around_first_use as (
    select
        first_uses.creator_id,
        first_uses.tool_code,
        count(*) filter (
            where dim_content.published_at < first_uses.first_used_at
            and dim_content.published_at >= first_uses.first_used_at - interval 28 day
        ) as post_count_28d_before,
        count(*) filter (
            where dim_content.published_at > first_uses.first_used_at
            and dim_content.published_at <= first_uses.first_used_at + interval 28 day
        ) as post_count_28d_after,
        count(*) filter (
            where dim_content.published_at < first_uses.first_used_at
            and dim_content.published_at >= cast(event_window.first_event_date as timestamp)
        ) as post_count_in_window_before_first_use
    from first_uses
    inner join dim_content on first_uses.creator_id = dim_content.creator_id
    cross join event_window
    group by first_uses.creator_id, first_uses.tool_code
)

select
    first_uses.creator_id,
    first_uses.tool_code,
    first_uses.creator_type,
    first_uses.is_pgc,
    first_uses.first_used_at,
    cast(first_uses.first_used_at as date) as first_used_date,
    case
        when creators.signed_up_at >= cast(event_window.first_event_date as timestamp)
            then false
        when cast(first_uses.first_used_at as date) < event_window.first_event_date then true
        else posts_around_first_use.post_count_in_window_before_first_use <= 1
    end as is_adopted_before_window,
    posts_around_first_use.post_count_in_window_before_first_use,
    first_uses.post_count_with_tool,
    posts_around_first_use.post_count_28d_before,
    posts_around_first_use.post_count_28d_after,
    first_uses.first_used_at - interval 28 day
    >= cast(event_window.first_event_date as timestamp) as is_28d_before_observed,
    first_uses.first_used_at + interval 28 day <= event_window.last_viewed_at
        as is_28d_after_observed
from first_uses
inner join posts_around_first_use using (creator_id, tool_code)
inner join creators on first_uses.creator_id = creators.creator_id
cross join event_window;

-- ---------------------------------------------------------------- audience

create table fct_viewer_daily as
with views_per_viewer_day as (
    select
        viewer_id,
        view_date as activity_date,
        any_value(viewer_region_code) as viewer_region_code,
        count(*) as view_count,
        count(*) filter (where is_completed) as completed_view_count,
        sum(watch_ms) as watch_ms
    from views
    group by viewer_id, view_date
),

-- The device and app version of the day: most views, ties to the first in
-- alphabetical order (nulls last, as in the model's window ordering).
devices as (
    select
        viewer_id,
        activity_date,
        first(device_os order by view_count desc, device_os asc) as device_os
    from (
        select viewer_id, view_date as activity_date, device_os, count(*) as view_count
        from views
        group by viewer_id, view_date, device_os
    )
    group by viewer_id, activity_date
),

app_versions as (
    select
        viewer_id,
        activity_date,
        first(app_version order by view_count desc, app_version asc nulls last)
            as app_version
    from (
        select viewer_id, view_date as activity_date, app_version, count(*) as view_count
        from views
        group by viewer_id, view_date, app_version
    )
    group by viewer_id, activity_date
),

impressions_per_viewer_day as (
    select viewer_id, impression_date as activity_date, count(*) as impression_count
    from impressions
    group by viewer_id, impression_date
),

engagements_per_viewer_day as (
    select
        viewer_id,
        engagement_date as activity_date,
        count(*) filter (where engagement_type = 'like') as like_count,
        count(*) filter (where engagement_type = 'comment') as comment_count,
        count(*) filter (where engagement_type = 'share') as share_count,
        count(*) filter (where engagement_type = 'save') as save_count
    from engagements
    group by viewer_id, engagement_date
),

follows_per_viewer_day as (
    select
        viewer_id,
        follow_event_date as activity_date,
        count(*) filter (where action = 'follow') as follow_count,
        count(*) filter (where action = 'unfollow') as unfollow_count
    from follows
    group by viewer_id, follow_event_date
)

select
    views_per_viewer_day.viewer_id,
    views_per_viewer_day.activity_date,
    views_per_viewer_day.viewer_region_code,
    devices.device_os,
    app_versions.app_version,
    coalesce(impressions_per_viewer_day.impression_count, 0) as impression_count,
    views_per_viewer_day.view_count,
    views_per_viewer_day.completed_view_count,
    cast(views_per_viewer_day.watch_ms as bigint) as watch_ms,
    coalesce(engagements_per_viewer_day.like_count, 0) as like_count,
    coalesce(engagements_per_viewer_day.comment_count, 0) as comment_count,
    coalesce(engagements_per_viewer_day.share_count, 0) as share_count,
    coalesce(engagements_per_viewer_day.save_count, 0) as save_count,
    coalesce(follows_per_viewer_day.follow_count, 0) as follow_count,
    coalesce(follows_per_viewer_day.unfollow_count, 0) as unfollow_count
from views_per_viewer_day
inner join devices using (viewer_id, activity_date)
inner join app_versions using (viewer_id, activity_date)
left join impressions_per_viewer_day using (viewer_id, activity_date)
left join engagements_per_viewer_day using (viewer_id, activity_date)
left join follows_per_viewer_day using (viewer_id, activity_date);

-- A viewer has one region, so the viewer-day table rolls up to regions, but it
-- is sparse (view days only): impressions and engagements are counted apart.
create table fct_audience_daily as
with views_per_region_day as (
    select
        view_date as activity_date,
        viewer_region_code,
        count(distinct viewer_id) as active_viewer_count,
        count(*) as view_count,
        count(*) filter (where is_completed) as completed_view_count,
        sum(watch_ms) as watch_ms
    from views
    group by view_date, viewer_region_code
),

impressions_per_region_day as (
    select
        impression_date as activity_date,
        viewer_region_code,
        count(*) as impression_count
    from impressions
    group by impression_date, viewer_region_code
),

engagements_per_region_day as (
    select
        engagements.engagement_date as activity_date,
        viewers.region_code as viewer_region_code,
        count(*) as engagement_count,
        count(*) filter (where engagements.engagement_type = 'like') as like_count,
        count(*) filter (where engagements.engagement_type = 'comment') as comment_count,
        count(*) filter (where engagements.engagement_type = 'share') as share_count,
        count(*) filter (where engagements.engagement_type = 'save') as save_count
    from engagements
    inner join viewers on engagements.viewer_id = viewers.viewer_id
    group by engagements.engagement_date, viewers.region_code
)

select
    activity_date,
    viewer_region_code,
    coalesce(views_per_region_day.active_viewer_count, 0) as active_viewer_count,
    coalesce(impressions_per_region_day.impression_count, 0) as impression_count,
    coalesce(views_per_region_day.view_count, 0) as view_count,
    coalesce(views_per_region_day.completed_view_count, 0) as completed_view_count,
    cast(coalesce(views_per_region_day.watch_ms, 0) as bigint) as watch_ms,
    coalesce(engagements_per_region_day.engagement_count, 0) as engagement_count,
    coalesce(engagements_per_region_day.like_count, 0) as like_count,
    coalesce(engagements_per_region_day.comment_count, 0) as comment_count,
    coalesce(engagements_per_region_day.share_count, 0) as share_count,
    coalesce(engagements_per_region_day.save_count, 0) as save_count
from views_per_region_day
full outer join impressions_per_region_day using (activity_date, viewer_region_code)
full outer join engagements_per_region_day using (activity_date, viewer_region_code);

-- ---------------------------------------------------------------- distribution

create table live_posts as
with impression_dates as (
    select distinct impression_date from impressions
)

select impression_dates.impression_date, count(content.content_id) as live_post_count
from impression_dates
left join content
    on
        content.published_at < impression_dates.impression_date + interval 1 day
        and content.published_at >= impression_dates.impression_date - interval 30 day
group by impression_dates.impression_date;

-- Gini with x sorted ascending, i = 1..n: 2 sum(i x_i) / (n sum x) - (n + 1) / n;
-- the top ceil(1 %) of creators by impressions, ties broken by creator_id.
create table fct_distribution_daily as
with creator_impressions as (
    select
        impression_date, surface_code, model_version, creator_id,
        count(*) as impression_count
    from impressions
    group by impression_date, surface_code, model_version, creator_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by impression_date, surface_code, model_version
            order by impression_count asc, creator_id asc
        ) as ascending_rank,
        row_number() over (
            partition by impression_date, surface_code, model_version
            order by impression_count desc, creator_id asc
        ) as descending_rank,
        cast(ceil(0.01 * count(*) over (
            partition by impression_date, surface_code, model_version
        )) as bigint) as top_creator_count
    from creator_impressions
),

concentration as (
    select
        impression_date, surface_code, model_version,
        count(*) as exposed_creator_count,
        2.0 * sum(ascending_rank * impression_count)
        / (count(*) * cast(sum(impression_count) as double))
        - (count(*) + 1.0) / count(*) as creator_impression_gini,
        max(top_creator_count) as top_1pct_creator_count,
        sum(impression_count) filter (where descending_rank <= top_creator_count)
        / cast(sum(impression_count) as double) as top_1pct_creator_impression_share
    from ranked
    group by impression_date, surface_code, model_version
),

aggregated as (
    select
        impression_date, surface_code, model_version,
        count(*) as impression_count,
        count(*) filter (where is_viewed) as view_count,
        cast(sum(watch_ms) as bigint) as watch_ms,
        count(*) filter (where is_completed) as completed_view_count,
        count(*) filter (where is_new_creator) as new_creator_impression_count,
        count(*) filter (where is_pgc) as pgc_impression_count,
        count(distinct content_id) as shown_post_count
    from impressions
    group by impression_date, surface_code, model_version
)

select
    impression_date,
    surface_code,
    model_version,
    aggregated.impression_count,
    aggregated.view_count,
    aggregated.view_count / aggregated.impression_count as view_through_rate,
    aggregated.watch_ms,
    aggregated.watch_ms / aggregated.impression_count as watch_ms_per_impression,
    aggregated.completed_view_count,
    aggregated.completed_view_count / nullif(aggregated.view_count, 0) as completion_rate,
    concentration.exposed_creator_count,
    concentration.creator_impression_gini,
    concentration.top_1pct_creator_count,
    concentration.top_1pct_creator_impression_share,
    aggregated.new_creator_impression_count,
    aggregated.new_creator_impression_count / aggregated.impression_count
        as new_creator_impression_share,
    aggregated.pgc_impression_count,
    aggregated.pgc_impression_count / aggregated.impression_count as pgc_impression_share,
    aggregated.shown_post_count,
    live_posts.live_post_count,
    aggregated.shown_post_count / nullif(live_posts.live_post_count, 0) as catalogue_coverage
from aggregated
inner join concentration using (impression_date, surface_code, model_version)
inner join live_posts using (impression_date);

create table fct_distribution_daily_total as
with creator_impressions as (
    select impression_date, creator_id, count(*) as impression_count
    from impressions
    group by impression_date, creator_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by impression_date order by impression_count asc, creator_id asc
        ) as ascending_rank,
        row_number() over (
            partition by impression_date order by impression_count desc, creator_id asc
        ) as descending_rank,
        cast(ceil(0.01 * count(*) over (partition by impression_date)) as bigint)
            as top_creator_count
    from creator_impressions
),

concentration as (
    select
        impression_date,
        count(*) as exposed_creator_count,
        2.0 * sum(ascending_rank * impression_count)
        / (count(*) * cast(sum(impression_count) as double))
        - (count(*) + 1.0) / count(*) as creator_impression_gini,
        max(top_creator_count) as top_1pct_creator_count,
        sum(impression_count) filter (where descending_rank <= top_creator_count)
        / cast(sum(impression_count) as double) as top_1pct_creator_impression_share
    from ranked
    group by impression_date
),

aggregated as (
    select
        impression_date,
        count(*) as impression_count,
        count(*) filter (where is_viewed) as view_count,
        cast(sum(watch_ms) as bigint) as watch_ms,
        count(*) filter (where is_completed) as completed_view_count,
        count(*) filter (where is_new_creator) as new_creator_impression_count,
        count(*) filter (where is_pgc) as pgc_impression_count,
        count(distinct content_id) as shown_post_count
    from impressions
    group by impression_date
)

select
    impression_date,
    aggregated.impression_count,
    aggregated.view_count,
    aggregated.view_count / aggregated.impression_count as view_through_rate,
    aggregated.watch_ms,
    aggregated.watch_ms / aggregated.impression_count as watch_ms_per_impression,
    aggregated.completed_view_count,
    aggregated.completed_view_count / nullif(aggregated.view_count, 0) as completion_rate,
    concentration.exposed_creator_count,
    concentration.creator_impression_gini,
    concentration.top_1pct_creator_count,
    concentration.top_1pct_creator_impression_share,
    aggregated.new_creator_impression_count,
    aggregated.new_creator_impression_count / aggregated.impression_count
        as new_creator_impression_share,
    aggregated.pgc_impression_count,
    aggregated.pgc_impression_count / aggregated.impression_count as pgc_impression_share,
    aggregated.shown_post_count,
    live_posts.live_post_count,
    aggregated.shown_post_count / nullif(live_posts.live_post_count, 0) as catalogue_coverage
from aggregated
inner join concentration using (impression_date)
inner join live_posts using (impression_date);

-- ---------------------------------------------------------------- creators

-- A view counts on its impression's day when the impression was served in the
-- last 300 s of a day (the play may start after midnight), else on its own day.
create table creator_day_events as
with impressions_before_midnight as (
    select impression_id, impression_date
    from impressions
    where served_at >= date_trunc('day', served_at) + interval 86100 second
),

views_daily as (
    select
        views.creator_id,
        coalesce(impressions_before_midnight.impression_date, views.view_date)
            as activity_date,
        count(*) as view_count,
        count(*) filter (where views.is_completed) as completed_view_count,
        sum(views.watch_ms) as watch_ms,
        count(*) filter (
            where views.watch_ms >= rewards_program_rules.min_qualified_watch_ms
        ) as qualified_view_count
    from views
    left join impressions_before_midnight
        on views.impression_id = impressions_before_midnight.impression_id
    left join rewards_program_rules
        on
            views.creator_region_code = rewards_program_rules.region_code
            and rewards_program_rules.program_id = 'creator_rewards'
    group by views.creator_id, activity_date
),

impressions_daily as (
    select creator_id, impression_date as activity_date, count(*) as impression_count
    from impressions
    group by creator_id, impression_date
)

select
    creator_id,
    activity_date,
    coalesce(impressions_daily.impression_count, 0) as impression_count,
    coalesce(views_daily.view_count, 0) as view_count,
    coalesce(views_daily.completed_view_count, 0) as completed_view_count,
    cast(coalesce(views_daily.watch_ms, 0) as bigint) as watch_ms,
    coalesce(views_daily.qualified_view_count, 0) as qualified_view_count
from impressions_daily
full outer join views_daily using (creator_id, activity_date);

create table log_window as
select
    min(activity_date) as first_log_date,
    max(activity_date) as last_log_date,
    cast(date_trunc('week', min(activity_date)) as date) as first_log_week,
    cast(date_trunc('week', max(activity_date)) as date) as last_log_week
from creator_day_events;

-- Every creator and day from signup (or the first logged day) to the last
-- logged day, with the running follower count and the trailing 28-day views.
create table creator_days as
with log_days as (
    select cast(generated.day as date) as activity_date
    from log_window
    cross join generate_series(
        log_window.first_log_date, log_window.last_log_date, interval 1 day
    ) as generated (day)
),

posts_daily as (
    select creator_id, published_date as activity_date, count(*) as post_count
    from content
    group by creator_id, published_date
),

follows_daily as (
    select
        creator_id,
        follow_event_date as activity_date,
        count(*) filter (where action = 'follow') as followers_gained,
        count(*) filter (where action = 'unfollow') as followers_lost
    from follows
    group by creator_id, follow_event_date
),

payouts_daily as (
    select
        creator_id,
        payout_date as activity_date,
        sum(cast(payout_usd as decimal(18, 4))) as payout_usd
    from base_rewards_payouts
    where quarantine_reason is null
    group by creator_id, payout_date
),

joined as (
    select
        creators.creator_id,
        log_days.activity_date,
        creators.baseline_follower_count,
        coalesce(posts_daily.post_count, 0) as post_count,
        coalesce(creator_day_events.impression_count, 0) as impression_count,
        coalesce(creator_day_events.view_count, 0) as view_count,
        coalesce(creator_day_events.completed_view_count, 0) as completed_view_count,
        coalesce(creator_day_events.watch_ms, 0) as watch_ms,
        coalesce(creator_day_events.qualified_view_count, 0) as qualified_view_count,
        coalesce(follows_daily.followers_gained, 0) as followers_gained,
        coalesce(follows_daily.followers_lost, 0) as followers_lost,
        cast(coalesce(payouts_daily.payout_usd, 0) as double) as payout_usd
    from creators
    inner join log_days on cast(creators.signed_up_at as date) <= log_days.activity_date
    left join posts_daily
        on
            creators.creator_id = posts_daily.creator_id
            and log_days.activity_date = posts_daily.activity_date
    left join creator_day_events
        on
            creators.creator_id = creator_day_events.creator_id
            and log_days.activity_date = creator_day_events.activity_date
    left join follows_daily
        on
            creators.creator_id = follows_daily.creator_id
            and log_days.activity_date = follows_daily.activity_date
    left join payouts_daily
        on
            creators.creator_id = payouts_daily.creator_id
            and log_days.activity_date = payouts_daily.activity_date
)

select
    * exclude (baseline_follower_count),
    cast(baseline_follower_count + sum(followers_gained - followers_lost) over (
        partition by creator_id order by activity_date
        rows between unbounded preceding and current row
    ) as bigint) as follower_count,
    cast(sum(view_count) over (
        partition by creator_id order by activity_date
        rows between 27 preceding and current row
    ) as bigint) as view_count_28d
from joined;

create table fct_creator_daily as
select
    creator_days.creator_id,
    creator_days.activity_date,
    creators.creator_type,
    creators.is_pgc,
    creators.region_code,
    creators.is_verified,
    cast(creators.signed_up_at as date) as signup_date,
    cast(creator_days.activity_date - cast(creators.signed_up_at as date) as integer)
        as days_since_signup,
    creator_days.activity_date - cast(creators.signed_up_at as date) < 30 as is_new_creator,
    creator_days.post_count > 0 as is_active,
    creator_days.post_count,
    creator_days.impression_count,
    creator_days.view_count,
    creator_days.completed_view_count,
    creator_days.watch_ms,
    creator_days.followers_gained,
    creator_days.followers_lost,
    creator_days.followers_gained - creator_days.followers_lost as net_follower_change,
    creator_days.follower_count,
    case
        when creator_days.follower_count < 100 then '0-99'
        when creator_days.follower_count < 1000 then '100-999'
        when creator_days.follower_count < 10000 then '1k-9.9k'
        else '10k+'
    end as follower_band,
    creator_days.view_count_28d,
    case
        when creator_days.view_count_28d = 0 then 'dormant'
        when creator_days.view_count_28d < 300 then 'emerging'
        when creator_days.view_count_28d < 3000 then 'rising'
        when creator_days.view_count_28d < 30000 then 'established'
        else 'star'
    end as creator_tier,
    creator_days.payout_usd
from creator_days
inner join creators on creator_days.creator_id = creators.creator_id;

-- A version is a run of days over which tier and follower band stay the same.
create table dim_creators_history as
with change_flagged as (
    select
        creator_id,
        activity_date,
        creator_tier,
        follower_band,
        case
            when
                lag(creator_tier) over by_day = creator_tier
                and lag(follower_band) over by_day = follower_band
                then 0
            else 1
        end as is_version_start
    from fct_creator_daily
    window by_day as (partition by creator_id order by activity_date)
),

versions as (
    select
        creator_id,
        version_number,
        min(creator_tier) as creator_tier,
        min(follower_band) as follower_band,
        min(activity_date) as valid_from,
        count(*) as days_in_version
    from (
        select
            *,
            sum(is_version_start) over (
                partition by creator_id order by activity_date
                rows between unbounded preceding and current row
            ) as version_number
        from change_flagged
    )
    group by creator_id, version_number
)

select
    creator_id,
    cast(version_number as integer) as version_number,
    creator_tier,
    follower_band,
    valid_from,
    lead(valid_from) over by_version as valid_to,
    lead(valid_from) over by_version is null as is_current,
    cast(days_in_version as integer) as days_in_version
from versions
window by_version as (partition by creator_id order by version_number);

-- Growth states per creator and ISO week: see int_creator_weeks_classified.
create table creator_weeks as
with posts_weekly as (
    select
        creator_id,
        cast(date_trunc('week', published_at) as date) as activity_week,
        count(*) as post_count
    from content
    group by creator_id, activity_week
),

weeks as (
    select
        cast(generated.week as date) as activity_week,
        cast(generated.week as date) >= log_window.first_log_week as is_in_log_window
    from log_window
    cross join (select min(activity_week) as first_post_week from posts_weekly) as post_weeks
    cross join generate_series(
        cast(least(post_weeks.first_post_week, log_window.first_log_week) as timestamp),
        cast(log_window.last_log_week as timestamp),
        interval 7 day
    ) as generated (week)
),

flagged as (
    select
        creators.creator_id,
        creators.creator_type,
        cast(date_trunc('week', creators.signed_up_at) as date) as signup_week,
        weeks.activity_week,
        weeks.is_in_log_window,
        posts_weekly.post_count is not null as is_active
    from creators
    inner join weeks
        on cast(date_trunc('week', creators.signed_up_at) as date) <= weeks.activity_week
    left join posts_weekly
        on
            creators.creator_id = posts_weekly.creator_id
            and weeks.activity_week = posts_weekly.activity_week
),

with_history as (
    select
        *,
        coalesce(lag(is_active) over (
            partition by creator_id order by activity_week
        ), false) as was_active_previous_week,
        min(activity_week) filter (where is_active) over (
            partition by creator_id
        ) as first_active_week
    from flagged
)

select
    *,
    case
        when is_active and activity_week = first_active_week then 'new'
        when is_active and was_active_previous_week then 'retained'
        when is_active then 'resurrected'
        when was_active_previous_week then 'churned'
        when first_active_week < activity_week then 'dormant'
        else 'not_yet_active'
    end as growth_state
from with_history;

create table fct_creator_growth_weekly as
with weekly_counts as (
    select
        activity_week,
        creator_type,
        count(*) filter (where growth_state in ('new', 'retained', 'resurrected'))
            as active_creators,
        count(*) filter (where growth_state = 'new') as new_creators,
        count(*) filter (where growth_state = 'retained') as retained_creators,
        count(*) filter (where growth_state = 'resurrected') as resurrected_creators,
        count(*) filter (where growth_state = 'churned') as churned_creators
    from creator_weeks
    group by activity_week, creator_type
),

week_types as (
    select
        weeks.activity_week,
        weeks.is_in_log_window,
        creator_types.creator_type,
        coalesce(weekly_counts.active_creators, 0) as active_creators,
        coalesce(weekly_counts.new_creators, 0) as new_creators,
        coalesce(weekly_counts.retained_creators, 0) as retained_creators,
        coalesce(weekly_counts.resurrected_creators, 0) as resurrected_creators,
        coalesce(weekly_counts.churned_creators, 0) as churned_creators
    from (select distinct activity_week, is_in_log_window from creator_weeks) as weeks
    cross join creator_types
    left join weekly_counts
        on
            weeks.activity_week = weekly_counts.activity_week
            and creator_types.creator_type = weekly_counts.creator_type
),

with_previous as (
    select
        *,
        coalesce(lag(active_creators) over (
            partition by creator_type order by activity_week
        ), 0) as active_creators_previous_week
    from week_types
)

select
    with_previous.activity_week as week_start_date,
    with_previous.creator_type,
    cast(least(7, log_window.last_log_date - with_previous.activity_week + 1) as integer)
        as days_observed,
    with_previous.active_creators,
    with_previous.new_creators,
    with_previous.retained_creators,
    with_previous.resurrected_creators,
    with_previous.churned_creators,
    with_previous.active_creators_previous_week,
    with_previous.retained_creators / nullif(with_previous.active_creators_previous_week, 0)
        as retention_rate,
    (with_previous.new_creators + with_previous.resurrected_creators)
    / nullif(with_previous.churned_creators, 0) as quick_ratio
from with_previous
cross join log_window
where with_previous.is_in_log_window;

create table fct_creator_cohort_retention as
with cohort_weeks as (
    select
        creator_weeks.signup_week as cohort_week,
        creator_weeks.activity_week,
        count(*) as cohort_size,
        count(*) filter (where creator_weeks.is_active) as active_creators
    from creator_weeks
    cross join log_window
    where creator_weeks.signup_week >= log_window.first_log_week
    group by creator_weeks.signup_week, creator_weeks.activity_week
)

select
    cohort_weeks.cohort_week,
    cast((cohort_weeks.activity_week - cohort_weeks.cohort_week) // 7 as integer)
        as weeks_since_signup,
    cohort_weeks.activity_week,
    cast(least(7, log_window.last_log_date - cohort_weeks.activity_week + 1) as integer)
        as days_observed,
    cohort_weeks.cohort_size,
    cohort_weeks.active_creators,
    cohort_weeks.active_creators / cohort_weeks.cohort_size as retention_rate
from cohort_weeks
cross join log_window;

-- ---------------------------------------------------------------- consumption

-- Every impression with its view and the view's engagements, summed to served
-- day x post x surface x model x viewer region x device x app version, with
-- the creator's tier and follower band of the day. An engagement counts on its
-- view; one whose view is not a valid view of a valid impression counts nowhere.
create table fct_consumption_daily as
with engagements_per_view as (
    select
        view_id,
        count(*) filter (where engagement_type = 'like') as like_count,
        count(*) filter (where engagement_type = 'comment') as comment_count,
        count(*) filter (where engagement_type = 'share') as share_count,
        count(*) filter (where engagement_type = 'save') as save_count
    from engagements
    group by view_id
),

leaves as (
    select
        impressions.impression_date as activity_date,
        impressions.content_id,
        impressions.creator_id,
        impressions.surface_code,
        impressions.model_version,
        impressions.viewer_region_code,
        impressions.device_os,
        impressions.app_version,
        impressions.is_pgc,
        impressions.is_new_creator,
        count(*) as impression_count,
        count(*) filter (where impressions.is_viewed) as view_count,
        count(*) filter (where impressions.is_completed) as completed_view_count,
        sum(impressions.watch_ms) as watch_ms,
        sum(engagements_per_view.like_count) as like_count,
        sum(engagements_per_view.comment_count) as comment_count,
        sum(engagements_per_view.share_count) as share_count,
        sum(engagements_per_view.save_count) as save_count
    from impressions
    left join engagements_per_view on impressions.view_id = engagements_per_view.view_id
    group by all
)

select
    leaves.activity_date,
    leaves.content_id,
    leaves.creator_id,
    leaves.surface_code,
    leaves.model_version,
    leaves.viewer_region_code,
    leaves.device_os,
    leaves.app_version,
    fct_creator_daily.creator_tier,
    fct_creator_daily.follower_band,
    leaves.is_pgc,
    leaves.is_new_creator,
    leaves.impression_count,
    leaves.view_count,
    leaves.completed_view_count,
    cast(leaves.watch_ms as bigint) as watch_ms,
    cast(coalesce(leaves.like_count, 0) as bigint) as like_count,
    cast(coalesce(leaves.comment_count, 0) as bigint) as comment_count,
    cast(coalesce(leaves.share_count, 0) as bigint) as share_count,
    cast(coalesce(leaves.save_count, 0) as bigint) as save_count
from leaves
left join fct_creator_daily
    on
        leaves.creator_id = fct_creator_daily.creator_id
        and leaves.activity_date = fct_creator_daily.activity_date;

-- ---------------------------------------------------------------- monetization

-- Eligible on day d: followers at the end of d and views over the 28 days
-- ending on d meet the region's thresholds; paid for days after enrolling.
create table fct_rewards_creator_daily as
with enrollments as (
    select creator_id, program_id, min(enrolled_at) as enrolled_at
    from base_rewards_enrollments
    where quarantine_reason is null
    group by creator_id, program_id
),

payouts as (
    select
        creator_id,
        program_id,
        payout_date,
        sum(qualified_view_count) as qualified_view_count,
        sum(cast(payout_usd as decimal(18, 4))) as payout_usd
    from base_rewards_payouts
    where quarantine_reason is null
    group by creator_id, program_id, payout_date
),

joined as (
    select
        creator_days.creator_id,
        rewards_program_rules.program_id,
        creator_days.activity_date,
        creators.region_code,
        creators.creator_type,
        creator_days.follower_count,
        creator_days.view_count_28d,
        rewards_program_rules.min_followers,
        rewards_program_rules.min_views_28d,
        creator_days.follower_count >= rewards_program_rules.min_followers
            as meets_follower_threshold,
        creator_days.view_count_28d >= rewards_program_rules.min_views_28d
            as meets_views_threshold,
        enrollments.enrolled_at,
        cast(enrollments.enrolled_at as date) as enrollment_date,
        creator_days.qualified_view_count,
        payouts.creator_id is not null as is_paid,
        payouts.qualified_view_count as paid_qualified_view_count,
        rewards_program_rules.rpm_usd,
        payouts.payout_usd
    from creator_days
    inner join creators on creator_days.creator_id = creators.creator_id
    inner join rewards_program_rules
        on
            creators.region_code = rewards_program_rules.region_code
            and creator_days.activity_date >= rewards_program_rules.launch_date
    left join enrollments
        on
            creator_days.creator_id = enrollments.creator_id
            and rewards_program_rules.program_id = enrollments.program_id
    left join payouts
        on
            creator_days.creator_id = payouts.creator_id
            and rewards_program_rules.program_id = payouts.program_id
            and creator_days.activity_date = payouts.payout_date
)

select
    creator_id,
    program_id,
    activity_date,
    region_code,
    creator_type,
    follower_count,
    view_count_28d,
    min_followers,
    min_views_28d,
    meets_follower_threshold,
    meets_views_threshold,
    meets_follower_threshold and meets_views_threshold as is_eligible,
    enrolled_at,
    enrollment_date,
    coalesce(enrollment_date < activity_date, false) as is_enrolled,
    coalesce(enrollment_date = activity_date, false) as is_enrolled_today,
    meets_follower_threshold
    and meets_views_threshold
    and coalesce(enrollment_date > activity_date, true) as is_eligible_unenrolled,
    qualified_view_count,
    is_paid,
    cast(paid_qualified_view_count as bigint) as paid_qualified_view_count,
    rpm_usd,
    cast(coalesce(payout_usd, 0) as double) as payout_usd
from joined;

create table fct_rewards_daily as
with daily as (
    select
        program_id,
        activity_date,
        count(*) filter (where is_eligible) as eligible_creators,
        count(*) filter (where is_eligible_unenrolled) as eligible_unenrolled_creators,
        count(*) filter (where is_enrolled) as enrolled_creators,
        count(*) filter (where is_enrolled_today) as new_enrollments,
        count(*) filter (where is_paid) as paid_creators,
        sum(coalesce(paid_qualified_view_count, 0)) as qualified_view_count,
        -- A decimal sum is exact, so it does not depend on row order.
        cast(sum(cast(payout_usd as decimal(18, 4))) as double) as payout_usd
    from fct_rewards_creator_daily
    group by program_id, activity_date
)

select
    program_id,
    activity_date,
    eligible_creators,
    eligible_unenrolled_creators,
    (eligible_creators - eligible_unenrolled_creators) / nullif(eligible_creators, 0)
        as enrolled_share_of_eligible,
    enrolled_creators,
    new_enrollments,
    paid_creators,
    cast(qualified_view_count as bigint) as qualified_view_count,
    payout_usd,
    payout_usd * 1000 / nullif(qualified_view_count, 0) as effective_rpm_usd
from daily;

create table dim_creators as
with posts as (
    select
        creator_id,
        min(published_at) as first_post_at,
        max(published_at) as last_post_at,
        count(*) as post_count
    from content
    group by creator_id
),

latest_day as (
    select *
    from fct_creator_daily
    where activity_date = (select max(activity_date) from fct_creator_daily)
),

rewards as (
    select
        creator_id,
        min(activity_date) filter (where is_eligible) as first_rewards_eligible_date,
        max(enrolled_at) as rewards_enrolled_at,
        arg_max(is_eligible, activity_date) as is_rewards_eligible
    from fct_rewards_creator_daily
    where program_id = 'creator_rewards'
    group by creator_id
)

select
    creators.creator_id,
    creators.creator_type,
    creator_types.creator_type_name,
    creators.is_pgc,
    creators.region_code,
    regions.market,
    creators.is_verified,
    creators.signed_up_at,
    cast(creators.signed_up_at as date) as signup_date,
    cast(date_trunc('week', creators.signed_up_at) as date) as signup_week,
    creators.baseline_follower_count,
    posts.first_post_at,
    cast(posts.first_post_at as date) as first_post_date,
    cast(posts.last_post_at as date) as last_post_date,
    posts.first_post_at is not null as is_activated,
    case
        when creators.signed_up_at >= (select min(published_at) from content)
            then cast(
                cast(posts.first_post_at as date) - cast(creators.signed_up_at as date)
                as integer
            )
    end as days_to_first_post,
    coalesce(posts.post_count, 0) as post_count,
    latest_day.activity_date as as_of_date,
    latest_day.is_new_creator,
    latest_day.follower_count,
    latest_day.follower_band,
    latest_day.view_count_28d,
    latest_day.creator_tier,
    coalesce(rewards.is_rewards_eligible, false) as is_rewards_eligible,
    rewards.first_rewards_eligible_date,
    coalesce(
        cast(rewards.rewards_enrolled_at as date) <= latest_day.activity_date, false
    ) as is_rewards_enrolled,
    rewards.rewards_enrolled_at
from creators
inner join creator_types on creators.creator_type = creator_types.creator_type
inner join regions on creators.region_code = regions.region_code
left join posts on creators.creator_id = posts.creator_id
left join latest_day on creators.creator_id = latest_day.creator_id
left join rewards on creators.creator_id = rewards.creator_id;

-- ---------------------------------------------------------------- experiments

-- A unit's first logged exposure sets its variant; pre-period: the 14 days
-- before the start date; during: from the first exposure to the end date.
create table experiment_units as
select
    assignments.experiment_id,
    assignments.unit_type,
    assignments.unit_id,
    first(assignments.variant order by assignments.assigned_at, assignments.assignment_id)
        as variant,
    min(assignments.assigned_at) as first_assigned_at,
    count(*) as assignment_row_count,
    count(distinct assignments.variant) > 1 as has_conflicting_variants,
    any_value(experiment_registry.randomization_unit) as randomization_unit,
    cast(any_value(experiment_registry.start_date) - interval 14 day as date)
        as pre_period_start_date,
    any_value(experiment_registry.start_date) as experiment_start_date,
    any_value(experiment_registry.end_date) as experiment_end_date
from base_experiment_assignments as assignments
inner join experiment_registry on assignments.experiment_id = experiment_registry.experiment_id
where assignments.quarantine_reason is null
group by assignments.experiment_id, assignments.unit_type, assignments.unit_id;

create table fct_experiment_units as
with creator_arms as (
    select experiment_id, unit_id as creator_id, variant as creator_variant
    from experiment_units
    where unit_type = 'creator' and not has_conflicting_variants
),

viewer_units as (
    select * from experiment_units where unit_type = 'viewer'
),

creator_units as (
    select * from experiment_units where unit_type = 'creator'
),

viewer_impressions as (
    select
        viewer_units.experiment_id,
        viewer_units.unit_id,
        count(*) filter (
            where impressions.impression_date < viewer_units.experiment_start_date
        ) as pre_impression_count,
        count(*) filter (where impressions.served_at >= viewer_units.first_assigned_at)
            as during_impression_count,
        count(*) filter (
            where impressions.served_at >= viewer_units.first_assigned_at
            and impressions.surface_code = 'for_you'
        ) as during_for_you_impression_count,
        count(*) filter (
            where impressions.served_at >= viewer_units.first_assigned_at
            and creator_arms.creator_variant = 'treatment'
        ) as during_treatment_creator_impression_count,
        count(*) filter (
            where impressions.served_at >= viewer_units.first_assigned_at
            and creator_arms.creator_variant = 'control'
        ) as during_control_creator_impression_count
    from viewer_units
    inner join impressions
        on
            viewer_units.unit_id = impressions.viewer_id
            and impressions.impression_date >= viewer_units.pre_period_start_date
            and impressions.impression_date <= viewer_units.experiment_end_date
    left join creator_arms
        on
            viewer_units.experiment_id = creator_arms.experiment_id
            and impressions.creator_id = creator_arms.creator_id
    group by viewer_units.experiment_id, viewer_units.unit_id
),

viewer_views as (
    select
        viewer_units.experiment_id,
        viewer_units.unit_id,
        count(*) filter (where views.view_date < viewer_units.experiment_start_date)
            as pre_view_count,
        sum(views.watch_ms) filter (where views.view_date < viewer_units.experiment_start_date)
            as pre_watch_ms,
        count(distinct views.view_date) filter (
            where views.view_date < viewer_units.experiment_start_date
        ) as pre_active_days,
        count(*) filter (where views.viewed_at >= viewer_units.first_assigned_at)
            as during_view_count,
        sum(views.watch_ms) filter (where views.viewed_at >= viewer_units.first_assigned_at)
            as during_watch_ms,
        count(*) filter (
            where views.viewed_at >= viewer_units.first_assigned_at and views.is_completed
        ) as during_completed_view_count,
        count(*) filter (
            where views.viewed_at >= viewer_units.first_assigned_at
            and views.surface_code = 'for_you'
        ) as during_for_you_view_count,
        count(distinct views.view_date) filter (
            where views.viewed_at >= viewer_units.first_assigned_at
        ) as during_active_days,
        count(*) filter (
            where views.viewed_at >= viewer_units.first_assigned_at
            and creator_arms.creator_variant = 'treatment'
        ) as during_treatment_creator_view_count,
        count(*) filter (
            where views.viewed_at >= viewer_units.first_assigned_at
            and creator_arms.creator_variant = 'control'
        ) as during_control_creator_view_count
    from viewer_units
    inner join views
        on
            viewer_units.unit_id = views.viewer_id
            and views.view_date >= viewer_units.pre_period_start_date
            and views.view_date <= viewer_units.experiment_end_date
    left join creator_arms
        on
            viewer_units.experiment_id = creator_arms.experiment_id
            and views.creator_id = creator_arms.creator_id
    group by viewer_units.experiment_id, viewer_units.unit_id
),

creator_posts as (
    select
        creator_units.experiment_id,
        creator_units.unit_id,
        count(*) filter (where content.published_at < creator_units.experiment_start_date)
            as pre_post_count,
        count(*) filter (where content.published_at >= creator_units.first_assigned_at)
            as during_post_count
    from creator_units
    inner join content
        on
            creator_units.unit_id = content.creator_id
            and content.published_at >= creator_units.pre_period_start_date
            and content.published_at < creator_units.experiment_end_date + interval 1 day
    group by creator_units.experiment_id, creator_units.unit_id
),

creator_impressions as (
    select
        creator_units.experiment_id,
        creator_units.unit_id,
        count(*) filter (
            where impressions.impression_date < creator_units.experiment_start_date
        ) as pre_impressions_received_count,
        count(*) filter (where impressions.served_at >= creator_units.first_assigned_at)
            as during_impressions_received_count
    from creator_units
    inner join impressions
        on
            creator_units.unit_id = impressions.creator_id
            and impressions.impression_date >= creator_units.pre_period_start_date
            and impressions.impression_date <= creator_units.experiment_end_date
    group by creator_units.experiment_id, creator_units.unit_id
),

creator_views as (
    select
        creator_units.experiment_id,
        creator_units.unit_id,
        count(*) filter (where views.view_date < creator_units.experiment_start_date)
            as pre_views_received_count,
        count(*) filter (where views.viewed_at >= creator_units.first_assigned_at)
            as during_views_received_count,
        sum(views.watch_ms) filter (where views.viewed_at >= creator_units.first_assigned_at)
            as during_watch_ms_received
    from creator_units
    inner join views
        on
            creator_units.unit_id = views.creator_id
            and views.view_date >= creator_units.pre_period_start_date
            and views.view_date <= creator_units.experiment_end_date
    group by creator_units.experiment_id, creator_units.unit_id
)

select
    viewer_units.experiment_id,
    viewer_units.unit_type,
    viewer_units.unit_id,
    viewer_units.variant,
    viewer_units.first_assigned_at,
    viewer_units.assignment_row_count,
    viewer_units.has_conflicting_variants,
    viewer_units.pre_period_start_date,
    viewer_units.experiment_start_date,
    viewer_units.experiment_end_date,
    coalesce(viewer_impressions.pre_impression_count, 0) as pre_impression_count,
    coalesce(viewer_views.pre_view_count, 0) as pre_view_count,
    cast(coalesce(viewer_views.pre_watch_ms, 0) as bigint) as pre_watch_ms,
    coalesce(viewer_views.pre_active_days, 0) as pre_active_days,
    cast(null as bigint) as pre_post_count,
    cast(null as bigint) as pre_impressions_received_count,
    cast(null as bigint) as pre_views_received_count,
    coalesce(viewer_impressions.during_impression_count, 0) as during_impression_count,
    coalesce(viewer_views.during_view_count, 0) as during_view_count,
    cast(coalesce(viewer_views.during_watch_ms, 0) as bigint) as during_watch_ms,
    coalesce(viewer_views.during_completed_view_count, 0) as during_completed_view_count,
    coalesce(viewer_impressions.during_for_you_impression_count, 0)
        as during_for_you_impression_count,
    coalesce(viewer_views.during_for_you_view_count, 0) as during_for_you_view_count,
    coalesce(viewer_views.during_active_days, 0) as during_active_days,
    -- The creator-arm split exists only where both sides are randomized.
    case
        when viewer_units.randomization_unit = 'both'
            then coalesce(viewer_impressions.during_treatment_creator_impression_count, 0)
    end as during_treatment_creator_impression_count,
    case
        when viewer_units.randomization_unit = 'both'
            then coalesce(viewer_views.during_treatment_creator_view_count, 0)
    end as during_treatment_creator_view_count,
    case
        when viewer_units.randomization_unit = 'both'
            then coalesce(viewer_impressions.during_control_creator_impression_count, 0)
    end as during_control_creator_impression_count,
    case
        when viewer_units.randomization_unit = 'both'
            then coalesce(viewer_views.during_control_creator_view_count, 0)
    end as during_control_creator_view_count,
    cast(null as bigint) as during_post_count,
    cast(null as bigint) as during_impressions_received_count,
    cast(null as bigint) as during_views_received_count,
    cast(null as bigint) as during_watch_ms_received
from viewer_units
left join viewer_impressions using (experiment_id, unit_id)
left join viewer_views using (experiment_id, unit_id)
union all
select
    creator_units.experiment_id,
    creator_units.unit_type,
    creator_units.unit_id,
    creator_units.variant,
    creator_units.first_assigned_at,
    creator_units.assignment_row_count,
    creator_units.has_conflicting_variants,
    creator_units.pre_period_start_date,
    creator_units.experiment_start_date,
    creator_units.experiment_end_date,
    null,
    null,
    null,
    null,
    coalesce(creator_posts.pre_post_count, 0),
    coalesce(creator_impressions.pre_impressions_received_count, 0),
    coalesce(creator_views.pre_views_received_count, 0),
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    coalesce(creator_posts.during_post_count, 0),
    coalesce(creator_impressions.during_impressions_received_count, 0),
    coalesce(creator_views.during_views_received_count, 0),
    cast(coalesce(creator_views.during_watch_ms_received, 0) as bigint)
from creator_units
left join creator_posts using (experiment_id, unit_id)
left join creator_impressions using (experiment_id, unit_id)
left join creator_views using (experiment_id, unit_id);

-- The per-type marts hold the union's rows of their unit type, with their own columns.
create table fct_experiment_viewer_units as
select
    experiment_id, unit_id as viewer_id, variant, first_assigned_at, assignment_row_count,
    has_conflicting_variants, pre_period_start_date, experiment_start_date,
    experiment_end_date, pre_impression_count, pre_view_count, pre_watch_ms, pre_active_days,
    during_impression_count, during_view_count, during_watch_ms, during_completed_view_count,
    during_for_you_impression_count, during_for_you_view_count, during_active_days,
    during_treatment_creator_impression_count, during_treatment_creator_view_count,
    during_control_creator_impression_count, during_control_creator_view_count
from fct_experiment_units
where unit_type = 'viewer';

create table fct_experiment_creator_units as
select
    experiment_id, unit_id as creator_id, variant, first_assigned_at, assignment_row_count,
    has_conflicting_variants, pre_period_start_date, experiment_start_date,
    experiment_end_date, pre_post_count, pre_impressions_received_count,
    pre_views_received_count, during_post_count, during_impressions_received_count,
    during_views_received_count, during_watch_ms_received
from fct_experiment_units
where unit_type = 'creator';

-- Every variant on every day any unit of the experiment's side was assigned.
create table fct_experiment_assignment_daily as
with units_by_first_date as (
    select
        experiment_id,
        unit_type,
        variant,
        cast(first_assigned_at as date) as assignment_date,
        count(*) as new_unit_count
    from experiment_units
    group by experiment_id, unit_type, variant, assignment_date
),

variant_days as (
    select distinct
        units_by_first_date.experiment_id,
        units_by_first_date.unit_type,
        variants.variant,
        units_by_first_date.assignment_date
    from units_by_first_date
    cross join (values ('control'), ('treatment')) as variants (variant)
)

select
    variant_days.experiment_id,
    variant_days.unit_type,
    variant_days.variant,
    variant_days.assignment_date,
    coalesce(units_by_first_date.new_unit_count, 0) as new_unit_count,
    cast(sum(coalesce(units_by_first_date.new_unit_count, 0)) over (
        partition by variant_days.experiment_id, variant_days.unit_type, variant_days.variant
        order by variant_days.assignment_date
        rows between unbounded preceding and current row
    ) as bigint) as cumulative_unit_count,
    case
        when variant_days.variant = 'treatment' then experiment_registry.treatment_share
        else 1 - experiment_registry.treatment_share
    end as expected_variant_share
from variant_days
left join units_by_first_date
    using (experiment_id, unit_type, variant, assignment_date)
inner join experiment_registry on variant_days.experiment_id = experiment_registry.experiment_id;

-- ---------------------------------------------------------------- metric layer

create table metric_time_spine_daily as
select cast(generated.day as date) as date_day
from generate_series(date '2023-01-01', date '2027-12-30', interval 1 day) as generated (day);

-- Each semantic model aggregated once over all its groupings (grouping sets),
-- then one select per certified metric; dimension_name is
-- <entity>__<dimension>, dimension_value the slice ('total' for the whole day).
create table viewer_activity as
select
    activity_date as metric_date,
    case
        when grouping(viewer_region_code) = 0 then 'viewer_activity__region'
        when grouping(device_os) = 0 then 'viewer_activity__device'
        when grouping(app_version) = 0 then 'viewer_activity__app_version'
        else 'total'
    end as dimension_name,
    coalesce(
        case
            when grouping(viewer_region_code) = 0 then viewer_region_code
            when grouping(device_os) = 0 then device_os
            when grouping(app_version) = 0 then app_version
            else 'total'
        end,
        '(null)'
    ) as dimension_value,
    count(distinct viewer_id) as active_viewer_count,
    sum(follow_count) as follow_count
from fct_viewer_daily
group by grouping sets (
    (activity_date),
    (activity_date, viewer_region_code),
    (activity_date, device_os),
    (activity_date, app_version)
);

create table creator_activity_rows as
select
    activity_date,
    creator_id,
    is_active and is_pgc as is_pgc_active,
    is_new_creator,
    is_pgc,
    net_follower_change,
    post_count,
    view_count,
    watch_ms,
    region_code,
    creator_type,
    follower_band,
    creator_tier,
    cast(is_new_creator as varchar) as is_new_creator_value
from fct_creator_daily;

create table creator_activity as
select
    activity_date as metric_date,
    case
        when grouping(region_code) = 0 then 'creator_activity__region'
        when grouping(creator_type) = 0 then 'creator_activity__creator_type'
        when grouping(follower_band) = 0 then 'creator_activity__follower_band'
        when grouping(creator_tier) = 0 then 'creator_activity__creator_tier'
        when grouping(is_new_creator_value) = 0 then 'creator_activity__is_new_creator'
        else 'total'
    end as dimension_name,
    coalesce(
        case
            when grouping(region_code) = 0 then region_code
            when grouping(creator_type) = 0 then creator_type
            when grouping(follower_band) = 0 then follower_band
            when grouping(creator_tier) = 0 then creator_tier
            when grouping(is_new_creator_value) = 0 then is_new_creator_value
            else 'total'
        end,
        '(null)'
    ) as dimension_value,
    sum(net_follower_change) as net_follower_change,
    count(distinct creator_id) filter (where is_pgc_active and is_new_creator)
        as new_pgc_active_creator_count,
    count(distinct creator_id) filter (where is_pgc_active) as pgc_active_creator_count,
    -- Zero, not null, for a slice without PGC rows.
    sum(case when is_pgc then post_count else 0 end) as pgc_post_count,
    sum(case when is_pgc then view_count else 0 end) as pgc_view_count,
    sum(case when is_pgc then watch_ms else 0 end) as pgc_watch_ms
from creator_activity_rows
group by grouping sets (
    (activity_date),
    (activity_date, region_code),
    (activity_date, creator_type),
    (activity_date, follower_band),
    (activity_date, creator_tier),
    (activity_date, is_new_creator_value)
);

-- PGC creators active in the 28 days ending on each day, per slice: a row for
-- every day whose window holds any creator-day of the slice (as the time
-- spine's range join gives), counted from the active days spread over the 28
-- days they fall in.
create table creator_activity_28d as
with slices as (
    select distinct activity_date, dimension_name, dimension_value
    from creator_activity_rows
    cross join lateral (
        values
            ('total', 'total'),
            ('creator_activity__region', coalesce(region_code, '(null)')),
            ('creator_activity__creator_type', coalesce(creator_type, '(null)')),
            ('creator_activity__follower_band', coalesce(follower_band, '(null)')),
            ('creator_activity__creator_tier', coalesce(creator_tier, '(null)')),
            ('creator_activity__is_new_creator', coalesce(is_new_creator_value, '(null)'))
    ) as slice (dimension_name, dimension_value)
),

active_slices as (
    select creator_activity_rows.activity_date, creator_activity_rows.creator_id,
        slice.dimension_name, slice.dimension_value
    from creator_activity_rows
    cross join lateral (
        values
            ('total', 'total'),
            ('creator_activity__region', coalesce(region_code, '(null)')),
            ('creator_activity__creator_type', coalesce(creator_type, '(null)')),
            ('creator_activity__follower_band', coalesce(follower_band, '(null)')),
            ('creator_activity__creator_tier', coalesce(creator_tier, '(null)')),
            ('creator_activity__is_new_creator', coalesce(is_new_creator_value, '(null)'))
    ) as slice (dimension_name, dimension_value)
    where creator_activity_rows.is_pgc_active
),

window_days as (
    select distinct
        cast(slices.activity_date + offsets.day_offset as date) as metric_date,
        slices.dimension_name,
        slices.dimension_value
    from slices
    cross join (select cast(range as integer) as day_offset from range(28)) as offsets
),

active_counts as (
    select
        cast(active_slices.activity_date + offsets.day_offset as date) as metric_date,
        active_slices.dimension_name,
        active_slices.dimension_value,
        count(distinct active_slices.creator_id) as pgc_active_creator_count
    from active_slices
    cross join (select cast(range as integer) as day_offset from range(28)) as offsets
    group by all
)

select
    window_days.*,
    coalesce(active_counts.pgc_active_creator_count, 0) as pgc_active_creator_count
from window_days
semi join metric_time_spine_daily on window_days.metric_date = metric_time_spine_daily.date_day
left join active_counts using (metric_date, dimension_name, dimension_value);

create table creator_signups as
select
    signup_date as metric_date,
    case
        when grouping(region_code) = 0 then 'creator__region'
        when grouping(creator_type) = 0 then 'creator__creator_type'
        when grouping(is_verified_value) = 0 then 'creator__is_verified'
        else 'total'
    end as dimension_name,
    coalesce(
        case
            when grouping(region_code) = 0 then region_code
            when grouping(creator_type) = 0 then creator_type
            when grouping(is_verified_value) = 0 then is_verified_value
            else 'total'
        end,
        '(null)'
    ) as dimension_value,
    count(*) as creator_signup_count,
    -- New creators who posted within 7 days of signing up (the conversion).
    count(*) filter (where has_posted_in_7d) as posting_creator_count
from (
    select
        dim_creators.*,
        cast(dim_creators.is_verified as varchar) as is_verified_value,
        exists (
            select 1 from dim_content
            where
                dim_content.creator_id = dim_creators.creator_id
                and dim_content.published_date >= dim_creators.signup_date
                and dim_content.published_date < dim_creators.signup_date + 7
        ) as has_posted_in_7d
    from dim_creators
)
group by grouping sets (
    (signup_date),
    (signup_date, region_code),
    (signup_date, creator_type),
    (signup_date, is_verified_value)
);

-- consumption: every grouping straight from the fact, with the post's and the
-- creator's attributes joined on (metric_daily's left joins to dim_content and
-- dim_creators); one hash aggregate per grouping set costs less than summing
-- the fact to its distinct slices first.
create table consumption as
select
    activity_date as metric_date,
    case
        when grouping(surface_code) = 0 then 'consumption__surface'
        when grouping(model_version) = 0 then 'consumption__model_version'
        when grouping(viewer_region_code) = 0 then 'consumption__viewer_region'
        when grouping(device_os) = 0 then 'consumption__device'
        when grouping(app_version) = 0 then 'consumption__app_version'
        when grouping(creator_tier) = 0 then 'consumption__creator_tier'
        when grouping(follower_band) = 0 then 'consumption__follower_band'
        when grouping(creator_tenure) = 0 then 'consumption__creator_tenure'
        when grouping(category_code) = 0 then 'content__category'
        when grouping(format) = 0 then 'content__format'
        when grouping(tool_code) = 0 then 'content__tool'
        when grouping(creator_type) = 0 then 'creator__creator_type'
        when grouping(creator_region_code) = 0 then 'creator__region'
        else 'total'
    end as dimension_name,
    coalesce(
        case
            when grouping(surface_code) = 0 then surface_code
            when grouping(model_version) = 0 then model_version
            when grouping(viewer_region_code) = 0 then viewer_region_code
            when grouping(device_os) = 0 then device_os
            when grouping(app_version) = 0 then app_version
            when grouping(creator_tier) = 0 then creator_tier
            when grouping(follower_band) = 0 then follower_band
            when grouping(creator_tenure) = 0 then creator_tenure
            when grouping(category_code) = 0 then category_code
            when grouping(format) = 0 then format
            when grouping(tool_code) = 0 then tool_code
            when grouping(creator_type) = 0 then creator_type
            when grouping(creator_region_code) = 0 then creator_region_code
            else 'total'
        end,
        '(null)'
    ) as dimension_value,
    sum(impression_count) as impression_count,
    sum(view_count) as view_count,
    sum(completed_view_count) as completed_view_count,
    sum(watch_ms) as watch_ms,
    sum(like_count) as like_count,
    sum(share_count) as share_count,
    -- Zero, not null, for a slice without new-creator or PGC impressions.
    coalesce(sum(new_creator_impression_count), 0) as new_creator_impression_count,
    coalesce(sum(pgc_impression_count), 0) as pgc_impression_count
from (
    select
        fct_consumption_daily.activity_date,
        fct_consumption_daily.surface_code,
        fct_consumption_daily.model_version,
        fct_consumption_daily.viewer_region_code,
        fct_consumption_daily.device_os,
        fct_consumption_daily.app_version,
        fct_consumption_daily.creator_tier,
        fct_consumption_daily.follower_band,
        case when fct_consumption_daily.is_new_creator then 'new' else 'established' end
            as creator_tenure,
        dim_content.category_code,
        dim_content.format,
        dim_content.tool_code,
        dim_creators.creator_type,
        dim_creators.region_code as creator_region_code,
        fct_consumption_daily.impression_count,
        fct_consumption_daily.view_count,
        fct_consumption_daily.completed_view_count,
        fct_consumption_daily.watch_ms,
        fct_consumption_daily.like_count,
        fct_consumption_daily.share_count,
        case
            when fct_consumption_daily.is_new_creator
                then fct_consumption_daily.impression_count
        end as new_creator_impression_count,
        case
            when fct_consumption_daily.is_pgc then fct_consumption_daily.impression_count
        end as pgc_impression_count
    from fct_consumption_daily
    left join dim_content on fct_consumption_daily.content_id = dim_content.content_id
    left join dim_creators on fct_consumption_daily.creator_id = dim_creators.creator_id
)
group by grouping sets (
    (activity_date),
    (activity_date, surface_code),
    (activity_date, model_version),
    (activity_date, viewer_region_code),
    (activity_date, device_os),
    (activity_date, app_version),
    (activity_date, creator_tier),
    (activity_date, follower_band),
    (activity_date, creator_tenure),
    (activity_date, category_code),
    (activity_date, format),
    (activity_date, tool_code),
    (activity_date, creator_type),
    (activity_date, creator_region_code)
);

create table posts as
select
    published_date as metric_date,
    case
        when grouping(category_code) = 0 then 'content__category'
        when grouping(tool_code) = 0 then 'content__tool'
        when grouping(format) = 0 then 'content__format'
        when grouping(creator_type) = 0 then 'content__creator_type'
        else 'total'
    end as dimension_name,
    coalesce(
        case
            when grouping(category_code) = 0 then category_code
            when grouping(tool_code) = 0 then tool_code
            when grouping(format) = 0 then format
            when grouping(creator_type) = 0 then creator_type
            else 'total'
        end,
        '(null)'
    ) as dimension_value,
    count(*) as post_count,
    count(*) filter (where tool_code != 'none') as tool_post_count
from dim_content
group by grouping sets (
    (published_date),
    (published_date, category_code),
    (published_date, tool_code),
    (published_date, format),
    (published_date, creator_type)
);

create table rewards_activity as
select
    activity_date as metric_date,
    case
        when grouping(region_code) = 0 then 'rewards_activity__region'
        when grouping(creator_type) = 0 then 'rewards_activity__creator_type'
        else 'total'
    end as dimension_name,
    coalesce(
        case
            when grouping(region_code) = 0 then region_code
            when grouping(creator_type) = 0 then creator_type
            else 'total'
        end,
        '(null)'
    ) as dimension_value,
    sum(cast(payout_usd as decimal(18, 4))) as rewards_payout_usd,
    sum(qualified_view_count) as qualified_view_count,
    count(*) filter (where is_eligible) as eligible_creator_count,
    count(*) filter (where is_eligible and is_enrolled) as eligible_enrolled_creator_count
from fct_rewards_creator_daily
group by grouping sets (
    (activity_date),
    (activity_date, region_code),
    (activity_date, creator_type)
);

-- Week-over-week changes: this day's value against the value 7 days earlier,
-- on every day either exists (a full outer join, as MetricFlow's offset).
create table viewer_activity_wow as
select
    metric_date,
    dimension_name,
    dimension_value,
    current_day.active_viewer_count / nullif(week_before.active_viewer_count, 0) - 1
        as daily_active_viewers_wow_change
from viewer_activity as current_day
full outer join (
    select
        cast(metric_date + 7 as date) as metric_date,
        dimension_name,
        dimension_value,
        active_viewer_count
    from viewer_activity
) as week_before using (metric_date, dimension_name, dimension_value);

create table consumption_wow as
select
    metric_date,
    dimension_name,
    dimension_value,
    (current_day.watch_ms / 3600000.0) / nullif(week_before.watch_ms / 3600000.0, 0) - 1
        as watch_hours_wow_change
from consumption as current_day
full outer join (
    select
        cast(metric_date + 7 as date) as metric_date,
        dimension_name,
        dimension_value,
        watch_ms
    from consumption
) as week_before using (metric_date, dimension_name, dimension_value);

create table metric_daily as
with values_long as (
    -- consumption: simple, ratio and derived metrics over every slice their
    -- allowed dimensions name (impressions have no device or app version; the
    -- new-creator metrics are not sliced by tenure).
    select
        metric_date, dimension_value, dimension_name, metric.metric_name,
        metric.value, metric.numerator, metric.denominator
    from (
        select
            *,
            dimension_name not in ('consumption__device', 'consumption__app_version')
                as is_served_slice
        from consumption
    ) as consumption
    cross join lateral (
        values
            ('completed_views', completed_view_count, null, null, true),
            (
                'completion_rate', completed_view_count / nullif(view_count, 0),
                completed_view_count, view_count, true
            ),
            ('like_rate', like_count / nullif(view_count, 0), like_count, view_count, true),
            ('likes', like_count, null, null, true),
            ('share_rate', share_count / nullif(view_count, 0), share_count, view_count, true),
            ('shares', share_count, null, null, true),
            ('views', view_count, null, null, true),
            ('watch_hours', watch_ms / 3600000.0, null, null, true),
            (
                'watch_hours_per_view', (watch_ms / 3600000.0) / nullif(view_count, 0),
                watch_ms / 3600000.0, view_count, true
            ),
            ('watch_time_ms', watch_ms, null, null, true),
            ('delivered_views', view_count, null, null, is_served_slice),
            ('delivered_watch_ms', watch_ms, null, null, is_served_slice),
            ('delivered_watch_seconds', watch_ms / 1000.0, null, null, is_served_slice),
            ('impressions', impression_count, null, null, is_served_slice),
            (
                'new_creator_impression_share',
                new_creator_impression_count / nullif(impression_count, 0),
                new_creator_impression_count, impression_count,
                is_served_slice and dimension_name != 'consumption__creator_tenure'
            ),
            (
                'new_creator_impressions', new_creator_impression_count, null, null,
                is_served_slice and dimension_name != 'consumption__creator_tenure'
            ),
            (
                'pgc_impression_share', pgc_impression_count / nullif(impression_count, 0),
                pgc_impression_count, impression_count, is_served_slice
            ),
            ('pgc_impressions', pgc_impression_count, null, null, is_served_slice),
            (
                'view_through_rate', view_count / nullif(impression_count, 0),
                view_count, impression_count, is_served_slice
            ),
            (
                'watch_seconds_per_impression',
                (watch_ms / 1000.0) / nullif(impression_count, 0),
                watch_ms / 1000.0, impression_count, is_served_slice
            )
    ) as metric (metric_name, value, numerator, denominator, is_allowed)
    where metric.is_allowed
    union all
    select
        metric_date, dimension_value, dimension_name, 'watch_hours_wow_change',
        watch_hours_wow_change, null, null
    from consumption_wow
    union all
    -- viewer_activity: active viewers and follows over every slice.
    select
        metric_date, dimension_value, dimension_name, metric.metric_name,
        metric.value, null, null
    from viewer_activity
    cross join lateral (
        values
            ('daily_active_viewers', active_viewer_count),
            ('follows', follow_count)
    ) as metric (metric_name, value)
    union all
    select
        metric_date, dimension_value, dimension_name, 'daily_active_viewers_wow_change',
        daily_active_viewers_wow_change, null, null
    from viewer_activity_wow
    union all
    -- Ratios across two semantic models, which share no dimension: total only,
    -- on every day either side exists.
    select
        metric_date, dimension_value, dimension_name, metric.metric_name,
        metric.value, metric.numerator, metric.denominator
    from (select * from consumption where dimension_name = 'total') as consumption
    full outer join (
        select * from viewer_activity where dimension_name = 'total'
    ) as viewer_activity using (metric_date, dimension_name, dimension_value)
    cross join lateral (
        values
            (
                'views_per_active_viewer',
                consumption.view_count / nullif(viewer_activity.active_viewer_count, 0),
                consumption.view_count, viewer_activity.active_viewer_count
            ),
            (
                'follow_rate',
                viewer_activity.follow_count / nullif(consumption.view_count, 0),
                viewer_activity.follow_count, consumption.view_count
            )
    ) as metric (metric_name, value, numerator, denominator)
    union all
    select
        metric_date, dimension_value, dimension_name, 'pgc_watch_share',
        (creator_activity.pgc_watch_ms / 3600000.0)
        / nullif(consumption.watch_ms / 3600000.0, 0),
        creator_activity.pgc_watch_ms / 3600000.0,
        consumption.watch_ms / 3600000.0
    from (select * from creator_activity where dimension_name = 'total') as creator_activity
    full outer join (
        select * from consumption where dimension_name = 'total'
    ) as consumption using (metric_date, dimension_name, dimension_value)
    union all
    select
        metric_date, dimension_value, dimension_name, metric.metric_name,
        metric.value, metric.numerator, metric.denominator
    from creator_activity
    cross join lateral (
        values
            ('net_follower_change', net_follower_change, null, null),
            ('new_pgc_active_creators', new_pgc_active_creator_count, null, null),
            ('pgc_active_creators', pgc_active_creator_count, null, null),
            ('pgc_posts', pgc_post_count, null, null),
            ('pgc_views', pgc_view_count, null, null),
            ('pgc_watch_hours', pgc_watch_ms / 3600000.0, null, null),
            ('pgc_watch_time_ms', pgc_watch_ms, null, null),
            (
                'posts_per_active_creator',
                pgc_post_count / nullif(pgc_active_creator_count, 0),
                pgc_post_count, pgc_active_creator_count
            ),
            (
                'views_per_pgc_post', pgc_view_count / nullif(pgc_post_count, 0),
                pgc_view_count, pgc_post_count
            ),
            (
                'watch_hours_per_pgc_view',
                (pgc_watch_ms / 3600000.0) / nullif(pgc_view_count, 0),
                pgc_watch_ms / 3600000.0, pgc_view_count
            )
    ) as metric (metric_name, value, numerator, denominator)
    union all
    select
        metric_date, dimension_value, dimension_name, 'pgc_active_creators_28d',
        pgc_active_creator_count, null, null
    from creator_activity_28d
    union all
    select
        metric_date, dimension_value, dimension_name, metric.metric_name,
        metric.value, metric.numerator, metric.denominator
    from creator_signups
    cross join lateral (
        values
            ('creator_signups', creator_signup_count, null, null, true),
            (
                'new_creator_first_post_7d_rate',
                nullif(posting_creator_count, 0) / nullif(creator_signup_count, 0),
                nullif(posting_creator_count, 0), creator_signup_count,
                dimension_name != 'creator__is_verified'
            )
    ) as metric (metric_name, value, numerator, denominator, is_allowed)
    where metric.is_allowed
    union all
    select
        metric_date, dimension_value, dimension_name, metric.metric_name,
        metric.value, metric.numerator, metric.denominator
    from posts
    cross join lateral (
        values
            ('posts', post_count, null, null, true),
            (
                'tool_post_share', tool_post_count / nullif(post_count, 0),
                tool_post_count, post_count, dimension_name != 'content__tool'
            ),
            ('tool_posts', tool_post_count, null, null, true)
    ) as metric (metric_name, value, numerator, denominator, is_allowed)
    where metric.is_allowed
    union all
    select
        metric_date, dimension_value, dimension_name, metric.metric_name,
        metric.value, metric.numerator, metric.denominator
    from rewards_activity
    cross join lateral (
        values
            (
                'effective_rpm_usd',
                rewards_payout_usd / nullif(qualified_view_count / 1000.0, 0),
                rewards_payout_usd, qualified_view_count / 1000.0
            ),
            ('eligible_creators', eligible_creator_count, null, null),
            ('eligible_enrolled_creators', eligible_enrolled_creator_count, null, null),
            (
                'enrolled_share_of_eligible',
                eligible_enrolled_creator_count / nullif(eligible_creator_count, 0),
                eligible_enrolled_creator_count, eligible_creator_count
            ),
            ('qualified_kviews', qualified_view_count / 1000.0, null, null),
            ('qualified_views', qualified_view_count, null, null),
            ('rewards_payout_usd', rewards_payout_usd, null, null)
    ) as metric (metric_name, value, numerator, denominator)
)

select
    metric_date,
    dimension_value,
    metric_name,
    dimension_name,
    cast(value as double) as value,
    cast(numerator as double) as numerator,
    cast(denominator as double) as denominator
from values_long;
