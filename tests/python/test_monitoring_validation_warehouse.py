"""Validation on the tiny warehouse: every reconciliation check passes, raw counts recomputed
from Parquet equal the simulator's ground truth, the run's q-values are BH over its
p-values, and the shift monitors find what the simulator planted (and stay quiet where it
planted nothing)."""

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from python_checks.monitoring.check_results import results_frame
from python_checks.monitoring.shift_monitors import latest_periods, shift_result
from python_checks.monitoring.validation import validation_results
from python_checks.warehouse.check_inputs import read_validation_inputs
from python_checks.warehouse.reconciliation_reads import TIES, raw_accounting, read_ties
from python_checks.warehouse.shift_samples import NUMERIC_MONITORS, read_shift_samples
from simulator.params import APP_VERSION_RELEASE_DAYS


def run_validation(warehouse, raw_dir=None, **options):
    return validation_results(read_validation_inputs(warehouse, raw_dir, **options))


@pytest.fixture(scope="module")
def latest_run(warehouse, raw_dir):
    return results_frame(run_validation(warehouse, raw_dir))


def _incident(truth: dict, kind: str) -> dict:
    (incident,) = [i for i in truth["incidents"] if i["kind"] == kind]
    return incident


def _shift(frame, name: str):
    (row,) = frame[frame["check_name"] == f"distribution_shift.{name}"].itertuples()
    return row


def test_every_reconciliation_check_passes(latest_run):
    frame = latest_run
    checked = frame[frame["category"] == "reconciliation"]
    assert len(checked) > 40
    assert checked["blocking"].all()
    failing = checked[checked["status"] != "pass"]
    assert failing.empty, failing[["check_name", "subject", "detail"]].to_string()


def test_every_layer_and_raw_table_is_reconciled(latest_run, truth):
    frame = latest_run
    reconciliation = frame[frame["category"] == "reconciliation"]
    assert set(reconciliation["check_name"]) == {
        "reconciliation.raw_to_staging",
        "reconciliation.staging_to_marts",
        "reconciliation.marts_to_metrics",
    }
    raw = reconciliation[reconciliation["check_name"] == "reconciliation.raw_to_staging"]
    assert set(raw["subject"]) == set(truth["tables"])


def test_raw_counts_from_parquet_equal_the_simulators_record(warehouse, raw_dir, truth):
    for row in raw_accounting(warehouse, raw_dir):
        table = truth["tables"][row.table]
        assert row.raw_rows == table["raw_rows"], row.table
        assert row.duplicate_rows == table["defects"].get("duplicate", 0), row.table
        assert row.staged_rows == table["clean_rows"], row.table


def test_recorded_and_recounted_raw_rows_agree(warehouse, raw_dir):
    recounted = {
        (r.table, r.raw_rows, r.duplicate_rows) for r in raw_accounting(warehouse, raw_dir)
    }
    recorded = {(r.table, r.raw_rows, r.duplicate_rows) for r in raw_accounting(warehouse)}
    assert recounted == recorded


def test_a_missing_raw_file_is_named(warehouse, tmp_path: Path):
    with pytest.raises(ValueError, match=r"raw table '(\w+)': neither .*/\1\.parquet nor"):
        raw_accounting(warehouse, tmp_path)


def test_the_run_adjusts_all_p_values_together(latest_run):
    frame = latest_run
    tested = frame[frame["p_value"].notna()]
    assert len(tested) == (frame["category"] == "distribution_shift").sum() > 10
    expected = multipletests(tested["p_value"].to_numpy(), method="fdr_bh")[1]
    assert tested["q_value"].to_numpy() == pytest.approx(expected)
    assert frame.loc[frame["p_value"].isna(), "q_value"].isna().all()
    assert not frame.loc[frame["category"] == "distribution_shift", "blocking"].any()


def test_the_rollout_of_a_new_ranker_shifts_the_model_mix_of_the_last_week(latest_run, truth):
    frame = latest_run
    rollout = _incident(truth, "model_rollout")
    last_day = date.fromisoformat(truth["end_date"])
    assert date.fromisoformat(rollout["dates"][0]) > last_day - timedelta(days=7)
    shift = _shift(frame, "impressions_by_model_version")
    assert shift.status == "fail"
    assert shift.detail.split("largest move ")[1].startswith(rollout["root_cause"]["model_version"])


def test_mixes_no_incident_touches_do_not_shift(latest_run, truth):
    frame = latest_run
    roots = {dimension for i in truth["incidents"] for dimension in i["root_cause"]}
    assert "device" not in roots
    assert _shift(frame, "views_by_device").status == "pass"
    assert _shift(frame, "views_by_surface").status == "pass"


def test_the_sports_spike_shifts_the_category_mix_of_its_day(warehouse, truth):
    spike = _incident(truth, "traffic_spike")
    (day,) = spike["dates"]
    frame = results_frame(run_validation(warehouse, shift_day=date.fromisoformat(day)))
    shift = _shift(frame, "views_by_category")
    assert shift.status == "fail"
    assert shift.effect_size > 0.25
    assert shift.detail.split("largest move ")[1].startswith(
        spike["root_cause"]["content_category"]
    )
    # The simulator's own count: sports views jump that day against the week before.
    daily, by_slice = truth["daily"], truth["daily_by_slice"]
    week_before = str(date.fromisoformat(day) - timedelta(days=7))
    share = {
        d: by_slice[d]["content_category"]["sports"]["views"] / daily[d]["views"]
        for d in (day, week_before)
    }
    assert share[day] > 2 * share[week_before]


def test_a_day_without_incidents_keeps_its_category_mix(warehouse, truth):
    incident_days = {d for i in truth["incidents"] for d in i["dates"]}
    day = date(2026, 9, 21)
    assert {str(day), str(day - timedelta(days=7))}.isdisjoint(incident_days)
    frame = results_frame(run_validation(warehouse, shift_day=day))
    assert _shift(frame, "views_by_category").status == "pass"


def test_an_app_release_shifts_the_app_version_mix(warehouse, truth):
    # The simulator ships app 31.2 on a fixed day of its run (simulator/params.py); viewers
    # update over the following days, so a week after the release the mix has moved.
    release = date.fromisoformat(truth["start_date"]) + timedelta(
        days=APP_VERSION_RELEASE_DAYS["31.2"]
    )
    day = release + timedelta(days=4)
    frame = results_frame(run_validation(warehouse, shift_day=day))
    shift = _shift(frame, "views_by_app_version")
    assert shift.status == "fail"
    assert "31.2: 0.0% -> " in shift.detail


def test_numeric_monitors_sample_the_same_capped_rows_every_run(warehouse, truth):
    periods = latest_periods(date.fromisoformat(truth["end_date"]))
    watch_time = (NUMERIC_MONITORS[0],)
    first, second = (
        shift_result(read_shift_samples(warehouse, periods, 500, watch_time, ())[0], periods)
        for _ in range(2)
    )
    assert "n=500 vs 500" in first.detail
    assert first == second
    (sample,) = read_shift_samples(warehouse, periods, 10**9, watch_time, ())
    full = shift_result(sample, periods)
    assert "n=500" not in full.detail and full.statistic != first.statistic


def test_ties_read_together_equal_each_tie_read_alone(warehouse):
    """Reading totals per relation, day and filter changes no tie: each is compared with
    its two totals queried on their own and full-outer-joined on the day."""
    readings = read_ties(warehouse, TIES)
    assert len(readings) == len(TIES)
    for tie, reading in zip(TIES, readings, strict=True):
        sides = [
            f"select {side.day_sql} as day, cast({side.value_sql} as double) as value "
            f"from {side.relation} where {side.where_sql} group by 1"
            for side in (tie.left, tie.right)
        ]
        alone = warehouse.execute(
            f"with l as ({sides[0]}), r as ({sides[1]}) "
            "select coalesce(l.day, r.day) as day, coalesce(l.value, 0) as left_value, "
            "coalesce(r.value, 0) as right_value from l full outer join r on l.day = r.day "
            "order by 1"
        ).df()
        assert (reading.left_name, reading.right_name) == (tie.left.name, tie.right.name)
        pd.testing.assert_frame_equal(reading.values, alone, obj=f"{tie.measure} ({tie.layers})")
