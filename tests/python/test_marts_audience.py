"""Audience marts against the simulator's truth and an independent cleaning of
the raw Parquet (the contract's rules, applied here in plain SQL)."""

from pathlib import Path

import pandas as pd
import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _domain(seed: str, column: str) -> str:
    values = pd.read_csv(SEEDS / f"{seed}.csv")[column]
    return ", ".join(f"'{value}'" for value in values)


# The contract's cleaning, reduced to what the audience marts read.
CLEAN = f"""
with
clean_viewers as (
    select distinct viewer_id, upper(trim(region_code)) as region_code from viewers
    where viewer_id is not null
      and upper(trim(region_code)) in ({_domain("regions", "region_code")})
),
clean_creators as (
    select distinct creator_id from creators
    where creator_id is not null
      and lower(trim(creator_type)) in ({_domain("creator_types", "creator_type")})
      and upper(trim(region_code)) in ({_domain("regions", "region_code")})
),
clean_content as (
    select distinct content_id from content
    where content_id is not null
      and creator_id in (select creator_id from clean_creators)
      and lower(trim(category_code)) in ({_domain("content_categories", "category_code")})
      and published_ts_ms <= ingest_ts_ms
),
clean_impressions as (
    select distinct impression_id, viewer_id, served_ts_ms from impressions
    where impression_id is not null
      and viewer_id in (select viewer_id from clean_viewers)
      and content_id in (select content_id from clean_content)
      and lower(trim(surface_code)) in ({_domain("surfaces", "surface_code")})
      and served_ts_ms <= ingest_ts_ms
),
clean_views as (
    select distinct view_id, impression_id, viewer_id, watch_ms, is_completed,
        lower(trim(device_os)) as device_os, viewed_ts_ms
    from views
    where view_id is not null and impression_id is not null
      and viewer_id in (select viewer_id from clean_viewers)
      and content_id in (select content_id from clean_content)
      and lower(trim(surface_code)) in ({_domain("surfaces", "surface_code")})
      and lower(trim(device_os)) in ('ios', 'android', 'web')
      and viewed_ts_ms <= ingest_ts_ms
      and watch_ms between 0 and 21600000
),
clean_engagements as (
    select distinct engagement_id, viewer_id,
        lower(trim(engagement_type)) as engagement_type, engaged_ts_ms
    from engagements
    where engagement_id is not null and view_id is not null
      and viewer_id in (select viewer_id from clean_viewers)
      and content_id in (select content_id from clean_content)
      and lower(trim(engagement_type)) in ('like', 'comment', 'share', 'save')
      and engaged_ts_ms <= ingest_ts_ms
)
"""


def _raw(raw, select: str) -> pd.DataFrame:
    return raw.execute(CLEAN + select).df()


def _mart(warehouse, sql: str) -> pd.DataFrame:
    return warehouse.execute(sql).df()


def _by_day(frame: pd.DataFrame, day: str, measure: str) -> dict[str, int]:
    return {
        str(pd.Timestamp(d).date()): int(v)
        for d, v in zip(frame[day], frame[measure], strict=True)
        if v != 0
    }


@pytest.fixture(scope="module")
def audience_totals(warehouse) -> pd.DataFrame:
    return _mart(
        warehouse,
        "select activity_date, sum(active_viewer_count) as active_viewers, "
        "sum(impression_count) as impressions, sum(view_count) as views, "
        "sum(completed_view_count) as completed_views, sum(watch_ms) as watch_ms, "
        "sum(engagement_count) as engagements "
        "from marts.fct_audience_daily group by 1 order by 1",
    )


def test_daily_impressions_equal_truth(audience_totals, truth):
    got = _by_day(
        audience_totals[audience_totals["impressions"] > 0], "activity_date", "impressions"
    )
    assert got == {day: counts["impressions"] for day, counts in truth["daily"].items()}


# audience_totals' column -> the truth's (catalogue) name of the same count
TRUTH_NAMES = {
    "views": "views",
    "completed_views": "completed_views",
    "watch_ms": "watch_time_ms",
    "active_viewers": "daily_active_viewers",
}


@pytest.mark.parametrize("measure", list(TRUTH_NAMES))
def test_daily_view_measures_equal_truth_on_the_impression_day(
    measure, raw, audience_totals, truth
):
    # The simulator books a view (and an active viewer) on its impression's day;
    # the marts use the view's own UTC date. Two steps, each exact: the raw
    # clean views booked the simulator's way equal truth, and booked by view
    # date they equal the mart.
    aggregate = {
        "views": "count(*)",
        "completed_views": "sum(case when v.is_completed then 1 else 0 end)",
        "watch_ms": "sum(v.watch_ms)",
        "active_viewers": "count(distinct v.viewer_id)",
    }[measure]
    by_served_day = _raw(
        raw,
        f"select cast(epoch_ms(i.served_ts_ms) as date) as day, {aggregate} as n "
        "from clean_views as v inner join clean_impressions as i "
        "on v.impression_id = i.impression_id group by 1",
    )
    assert _by_day(by_served_day, "day", "n") == {
        day: counts[TRUTH_NAMES[measure]] for day, counts in truth["daily"].items()
    }
    by_view_day = _raw(
        raw,
        f"select cast(epoch_ms(v.viewed_ts_ms) as date) as day, {aggregate} as n "
        "from clean_views as v group by 1",
    )
    assert _by_day(audience_totals, "activity_date", measure) == _by_day(by_view_day, "day", "n")


def test_viewer_days_add_up_to_the_audience_totals(warehouse, audience_totals):
    viewer_days = _mart(
        warehouse,
        "select activity_date, count(*) as active_viewers, sum(view_count) as views, "
        "sum(watch_ms) as watch_ms from marts.fct_viewer_daily group by 1 order by 1",
    )
    with_views = audience_totals[audience_totals["views"] > 0].reset_index(drop=True)
    for measure in ("active_viewers", "views", "watch_ms"):
        assert (viewer_days[measure] == with_views[measure]).all()


def test_engagements_by_type_equal_the_clean_raw_engagements(raw, warehouse):
    expected = _raw(
        raw,
        "select cast(epoch_ms(engaged_ts_ms) as date) as activity_date, engagement_type, "
        "count(*) as n from clean_engagements group by 1, 2",
    ).pivot(index="activity_date", columns="engagement_type", values="n")
    got = _mart(
        warehouse,
        "select activity_date, sum(like_count) as like, sum(comment_count) as comment, "
        "sum(share_count) as share, sum(save_count) as save "
        "from marts.fct_audience_daily group by 1",
    ).set_index("activity_date")
    got.index = got.index.date
    expected.index = pd.to_datetime(expected.index).date
    for engagement_type in ("like", "comment", "share", "save"):
        column = got[engagement_type].reindex(expected.index, fill_value=0)
        assert (column == expected[engagement_type].fillna(0)).all()


def test_active_viewers_by_region_equal_the_clean_raw_views(raw, warehouse):
    expected = _raw(
        raw,
        "select c.region_code, count(distinct (v.viewer_id, "
        "cast(epoch_ms(v.viewed_ts_ms) as date))) as n "
        "from clean_views as v inner join clean_viewers as c on v.viewer_id = c.viewer_id "
        "group by 1",
    ).set_index("region_code")["n"]
    got = _mart(
        warehouse,
        "select viewer_region_code, sum(active_viewer_count) as n "
        "from marts.fct_audience_daily group by 1",
    ).set_index("viewer_region_code")["n"]
    assert got[got > 0].sort_index().to_dict() == expected.sort_index().to_dict()


def test_viewer_day_device_is_the_device_of_most_views(raw, warehouse):
    expected = _raw(
        raw,
        "select viewer_id, cast(epoch_ms(viewed_ts_ms) as date) as activity_date, "
        "device_os, count(*) as n from clean_views group by 1, 2, 3",
    )
    # Most views first, then alphabetical: the mart's documented tie-break.
    expected = (
        expected.sort_values(["n", "device_os"], ascending=[False, True])
        .drop_duplicates(["viewer_id", "activity_date"])
        .set_index(["viewer_id", "activity_date"])["device_os"]
    )
    got = _mart(
        warehouse, "select viewer_id, activity_date, device_os from marts.fct_viewer_daily"
    ).set_index(["viewer_id", "activity_date"])["device_os"]
    assert len(got) == len(expected)
    assert (got.sort_index() == expected.sort_index()).all()


def test_consumption_totals_equal_truth_every_day(warehouse, truth):
    """fct_consumption_daily's daily totals are the simulator's exact counts (views and
    watch time are booked on the impression's day, as the simulator books them)."""
    totals = warehouse.execute(
        "select cast(activity_date as varchar), sum(impression_count), sum(view_count), "
        "sum(completed_view_count), sum(watch_ms) from marts.fct_consumption_daily group by 1"
    ).fetchall()
    got = {day: tuple(int(v) for v in values) for day, *values in totals}
    expected = {
        day: (c["impressions"], c["views"], c["completed_views"], c["watch_time_ms"])
        for day, c in truth["daily"].items()
    }
    assert got == expected


def test_consumption_slices_add_up_to_the_sports_spike(warehouse, truth):
    """Sports views on the planted spike's day, read through the post's category (a join
    to dim_content), equal the simulator's count of views of sports posts."""
    (spike,) = [i for i in truth["incidents"] if i["kind"] == "traffic_spike"]
    day = spike["dates"][0]
    (sports_views,) = warehouse.execute(
        "select sum(consumption.view_count) from marts.fct_consumption_daily as consumption "
        "inner join marts.dim_content as content on consumption.content_id = content.content_id "
        "where consumption.activity_date = ? and content.category_code = 'sports'",
        [day],
    ).fetchone()
    assert sports_views == truth["daily_by_slice"][day]["content_category"]["sports"]["views"]


def test_creator_state_is_the_creator_days(warehouse):
    """Tier and follower band on each row are the creator's on that day."""
    (mismatches,) = warehouse.execute(
        """
        select count(*) from marts.fct_consumption_daily as consumption
        inner join marts.fct_creator_daily as creator_day
            on consumption.creator_id = creator_day.creator_id
            and consumption.activity_date = creator_day.activity_date
        where consumption.creator_tier <> creator_day.creator_tier
            or consumption.follower_band <> creator_day.follower_band
        """
    ).fetchone()
    (unmatched,) = warehouse.execute(
        "select count(*) from marts.fct_consumption_daily as consumption "
        "anti join marts.fct_creator_daily as creator_day "
        "on consumption.creator_id = creator_day.creator_id "
        "and consumption.activity_date = creator_day.activity_date"
    ).fetchone()
    assert (mismatches, unmatched) == (0, 0)


def test_a_full_build_stores_the_consumption_fact_by_day(warehouse):
    # metric_daily's and `pgc explain`'s reads of a few days skip the others only when each
    # row group holds consecutive days (docs/marts.md); the tiny warehouse is a full build.
    out_of_order = warehouse.execute(
        """
        select count(*) from (
            select activity_date, lag(activity_date) over (order by rowid) as previous_date
            from marts.fct_consumption_daily
        ) where activity_date < previous_date
        """
    ).fetchall()[0][0]
    assert out_of_order == 0
