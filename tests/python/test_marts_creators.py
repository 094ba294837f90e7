"""The creator growth marts against what the simulator planted and against
independent recomputations: daily totals against ground_truth.json, follower
counts from the raw follow logs with pandas, growth accounting from the staged
posts with Python sets."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

START_DATE = dt.date(2026, 9, 7)


@pytest.fixture(scope="module")
def creator_daily(warehouse) -> pd.DataFrame:
    return warehouse.execute(
        "select creator_id, activity_date, post_count, view_count, impression_count, "
        "completed_view_count, watch_ms, follower_count from marts.fct_creator_daily"
    ).df()


@pytest.mark.parametrize(
    ("column", "truth_key"),
    [
        ("view_count", "views"),
        ("post_count", "posts"),
        ("impression_count", "impressions"),
        ("completed_view_count", "completed_views"),
        ("watch_ms", "watch_time_ms"),
    ],
)
def test_daily_totals_over_creators_equal_the_truth(creator_daily, truth, column, truth_key):
    totals = creator_daily.groupby("activity_date")[column].sum()
    observed = {day.date().isoformat(): int(value) for day, value in totals.items()}
    expected = {day: counts[truth_key] for day, counts in truth["daily"].items()}
    assert observed == expected


def test_every_creator_has_every_day_from_signup_to_the_end(warehouse, truth):
    rows = warehouse.execute(
        "select count(*), count(distinct activity_date), min(activity_date), max(activity_date) "
        "from marts.fct_creator_daily"
    ).fetchone()
    signups = warehouse.execute(
        "select cast(signed_up_at as date) from staging.stg_pgc__creators"
    ).fetchall()
    first, last = (
        dt.date.fromisoformat(truth["start_date"]),
        dt.date.fromisoformat(truth["end_date"]),
    )
    expected_rows = sum((last - max(first, signup)).days + 1 for (signup,) in signups)
    assert rows == (expected_rows, truth["days"], first, last)


def test_follower_counts_equal_baseline_plus_clean_follows_from_raw(raw, creator_daily):
    # The contract's cleaning, applied to the raw logs: exact duplicates out,
    # ids that name a valid viewer and creator, a known action, event before ingest.
    follows = raw.execute(
        """
        select distinct
            follow_event_id, creator_id, lower(trim(action)) as action,
            cast(epoch_ms(event_ts_ms) as date) as activity_date
        from follows
        where
            follow_event_id is not null
            and viewer_id in (select viewer_id from viewers)
            and creator_id in (select creator_id from creators)
            and lower(trim(action)) in ('follow', 'unfollow')
            and event_ts_ms <= ingest_ts_ms
        """
    ).df()
    baseline = raw.execute(
        "select creator_id, baseline_follower_count from creators where creator_id like 'c0%'"
    ).df()
    follows["change"] = np.where(follows["action"] == "follow", 1, -1)
    net = follows.groupby(["creator_id", "activity_date"])["change"].sum()

    mart = creator_daily[["creator_id", "activity_date", "follower_count"]].copy()
    mart["activity_date"] = pd.to_datetime(mart["activity_date"])
    net.index = net.index.set_levels(pd.to_datetime(net.index.levels[1]), level=1)
    mart = mart.join(net, on=["creator_id", "activity_date"]).fillna({"change": 0})
    mart = mart.merge(baseline, on="creator_id", how="left").sort_values(
        ["creator_id", "activity_date"]
    )
    expected = mart["baseline_follower_count"] + mart.groupby("creator_id")["change"].cumsum()

    assert len(mart) > 0 and mart["baseline_follower_count"].notna().all()
    assert (mart["follower_count"].to_numpy() == expected.to_numpy()).all()


def _weekly_activity(warehouse) -> tuple[dict, dict, pd.DataFrame]:
    posts = warehouse.execute(
        "select creator_id, cast(published_at as date) as published_date "
        "from staging.stg_pgc__content_items"
    ).df()
    creators = warehouse.execute("select creator_id, creator_type from staging.stg_pgc__creators")
    creator_type = dict(creators.fetchall())
    dates = pd.to_datetime(posts["published_date"])
    posts["week"] = (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.date
    active = posts.groupby("week")["creator_id"].agg(set).to_dict()
    return active, creator_type, posts


def test_growth_accounting_equals_a_recomputation_from_staged_posts(warehouse):
    active, creator_type, posts = _weekly_activity(warehouse)
    first_week = posts.groupby("creator_id")["week"].min().to_dict()
    mart = warehouse.execute(
        "select week_start_date, creator_type, active_creators, new_creators, "
        "retained_creators, resurrected_creators, churned_creators "
        "from marts.fct_creator_growth_weekly"
    ).fetchall()
    assert len(mart) > 0
    for week, kind, n_active, n_new, n_retained, n_resurrected, n_churned in mart:
        now = {c for c in active.get(week, set()) if creator_type[c] == kind}
        before = {
            c for c in active.get(week - dt.timedelta(days=7), set()) if creator_type[c] == kind
        }
        new = {c for c in now if first_week[c] == week}
        assert (n_active, n_new, n_retained, n_resurrected, n_churned) == (
            len(now),
            len(new),
            len(now & before),
            len(now - before - new),
            len(before - now),
        ), (week, kind)
        assert len(now) == len(new) + len(now & before) + len(now - before - new)
        assert len(before) == len(now & before) + len(before - now)


def test_cohorts_hold_every_creator_who_signed_up_during_the_logs(raw, warehouse):
    cohort_sizes = warehouse.execute(
        "select sum(cohort_size) from marts.fct_creator_cohort_retention "
        "where weeks_since_signup = 0"
    ).fetchone()[0]
    (signed_up,) = raw.execute(
        # Planted bad creator rows carry made-up ids (c_bad_...) or none.
        "select count(distinct creator_id) from creators where creator_id like 'c0%' "
        f"and epoch_ms(signup_ts_ms) >= timestamp '{START_DATE}'"
    ).fetchone()
    assert cohort_sizes == signed_up


def test_history_versions_tile_each_creators_days(warehouse):
    mismatched = warehouse.execute(
        """
        with days as (
            select creator_id, count(*) as day_count, min(activity_date) as first_day
            from marts.fct_creator_daily group by creator_id
        ),
        versions as (
            select creator_id, sum(days_in_version) as day_count, min(valid_from) as first_day,
                count(*) filter (where is_current) as current_versions
            from marts.dim_creators_history group by creator_id
        )
        select count(*) from days full join versions using (creator_id)
        where days.day_count is distinct from versions.day_count
            or days.first_day is distinct from versions.first_day
            or versions.current_versions <> 1
        """
    ).fetchone()[0]
    assert mismatched == 0


def test_current_history_version_matches_dim_creators(warehouse):
    (mismatched,) = warehouse.execute(
        "select count(*) from marts.dim_creators as dim "
        "left join marts.dim_creators_history as history "
        "on dim.creator_id = history.creator_id and history.is_current "
        "where dim.as_of_date is not null and (dim.creator_tier <> history.creator_tier "
        "or dim.follower_band <> history.follower_band or history.creator_id is null)"
    ).fetchone()
    assert mismatched == 0
