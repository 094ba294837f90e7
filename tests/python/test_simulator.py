"""The simulator writes what ground_truth.json says it planted."""

import hashlib
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from simulator.generate import generate
from simulator.params import DEFECTS

EVENT_TABLES = ("impressions", "views", "engagements", "follows", "experiment_assignments")


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path: Path):
    quiet = lambda message: None  # noqa: E731
    first = generate("tiny", tmp_path / "a", days=4, seed=3, log=quiet)
    second = generate("tiny", tmp_path / "b", days=4, seed=3, log=quiet)
    other = generate("tiny", tmp_path / "c", days=4, seed=4, log=quiet)
    assert _digest(first) == _digest(second)
    assert (
        _digest(first)["views/views_2026-09-07.parquet"]
        != (_digest(other)["views/views_2026-09-07.parquet"])
    )


def test_raw_row_counts_match_the_ground_truth(raw, truth):
    for table, recorded in truth["tables"].items():
        (rows,) = raw.execute(f"select count(*) from {table}").fetchone()
        assert rows == recorded["raw_rows"], table
        planted = sum(n for name, n in recorded["defects"].items() if name != "late_arriving")
        assert recorded["clean_rows"] + planted == rows, table


def test_exact_duplicates_in_the_raw_files_are_the_planted_ones(raw, truth):
    for table in (*EVENT_TABLES, "rewards_payouts"):
        (duplicates,) = raw.execute(
            f"select (select count(*) from {table}) "
            f"- (select count(*) from (select distinct * from {table}))"
        ).fetchone()
        assert duplicates == truth["tables"][table]["defects"].get("duplicate", 0), table


@pytest.mark.parametrize("defect", ["duplicate", "null_key", "late_arriving"])
def test_planted_defect_rates_are_the_configured_rates(truth, defect):
    """Counts are binomial draws at the configured rate: a 99.9% interval holds."""
    clean = sum(truth["tables"][table]["clean_rows"] for table in EVENT_TABLES)
    planted = sum(truth["tables"][table]["defects"].get(defect, 0) for table in EVENT_TABLES)
    low, high = stats.binom.interval(0.999, clean, getattr(DEFECTS, defect))
    assert low <= planted <= high


def test_weekends_bring_more_active_viewers_than_midweek(truth):
    by_weekday: dict[int, list[int]] = {}
    for date, day in truth["daily"].items():
        weekday = np.datetime64(date).astype("datetime64[D]").astype(int)
        by_weekday.setdefault((weekday + 3) % 7, []).append(day["daily_active_viewers"])
    saturday, tuesday = np.mean(by_weekday[5]), np.mean(by_weekday[1])
    assert saturday > 1.08 * tuesday


def test_creator_popularity_is_heavy_tailed(raw):
    (top_share,) = raw.execute(
        """
        with per_creator as (
            select content.creator_id, count(*) as views
            from views join content using (content_id)
            group by 1
        )
        select sum(views) filter (where rank <= (select count(*) from per_creator) / 10)
            / sum(views)
        from (select views, row_number() over (order by views desc) as rank from per_creator)
        """
    ).fetchone()
    assert top_share > 0.4  # a Pareto(1.2) audience: the top tenth takes most views


def test_logging_bug_loses_completed_views_of_its_slice_on_its_day(raw, truth):
    incident = next(i for i in truth["incidents"] if i["incident_id"] == "logging_bug_br_31_2")
    completed = dict(
        raw.execute(
            """
            select cast(epoch_ms(views.viewed_ts_ms) as date)::varchar, count(*)
            from views join viewers using (viewer_id)
            where upper(trim(viewers.region_code)) = 'BR' and trim(views.app_version) = '31.2'
                and views.is_completed
            group by 1
            """
        ).fetchall()
    )
    (bug_day,) = incident["dates"]
    assert completed.get(bug_day, 0) == 0
    assert completed[incident["dates"][0][:8] + "23"] > 0  # the day before still logs them


def test_sports_spike_and_new_creator_starvation_show_on_their_days(raw, truth):
    daily = raw.execute(
        """
        select
            cast(epoch_ms(impressions.served_ts_ms) as date)::varchar as day,
            avg(case when lower(trim(content.category_code)) = 'sports' then 1 else 0 end),
            avg(case when impressions.model_version = 'rec_v8' then 1 else 0 end)
        from impressions join content using (content_id)
        where impressions.served_ts_ms < impressions.ingest_ts_ms  -- not a planted bad clock
        group by 1
        """
    ).fetchall()
    sports = {day: share for day, share, _ in daily}
    rec_v8 = {day: share for day, _, share in daily}
    incidents = {i["incident_id"]: i for i in truth["incidents"]}
    (spike_day,) = incidents["sports_traffic_spike"]["dates"]
    assert sports[spike_day] > 2 * np.median(list(sports.values()))
    rollout = set(incidents["rec_v8_new_creator_exposure"]["dates"])
    assert all((share > 0) == (day in rollout) for day, share in rec_v8.items())


def test_sample_ratio_mismatch_is_in_the_logs(raw, truth):
    planted = truth["experiments"]["exp_rank_v2"]["assignments"]["viewer"]
    logged = dict(
        raw.execute(
            """
            select lower(trim(variant)), count(distinct assignment_id)
            from experiment_assignments
            where experiment_id = 'exp_rank_v2' and assignment_id is not null
                and lower(trim(variant)) in ('control', 'treatment')
            group by 1
            """
        ).fetchall()
    )
    assert logged["treatment"] >= planted["logged_treatment"]  # plus planted dirty copies
    lost_share = 1 - planted["logged_treatment"] / planted["assigned_treatment"]
    low, high = stats.binom.interval(0.999, planted["assigned_treatment"], 0.06)
    assert low <= lost_share * planted["assigned_treatment"] <= high
    assert planted["logged_control"] == planted["assigned_control"]


def test_motivated_creators_enroll_in_rewards_more_often(raw_dir: Path):
    import pyarrow.parquet as pq

    traits = pq.read_table(raw_dir / "hidden_traits.parquet").to_pandas()
    enrolled = traits["enrolled_day"] > -9999
    assert enrolled.any()
    assert traits.loc[enrolled, "motivation"].mean() > traits.loc[~enrolled, "motivation"].mean()
