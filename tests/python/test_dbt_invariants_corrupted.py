"""Every invariant dbt test can fail: a copy of the tiny warehouse is corrupted in a few
places per invariant family, `dbt test --select tag:invariant` runs once against it, and
exactly the tests that guard those places fail, each with the number of rows it should
return. The same tests pass on an untouched copy, so the corruptions are what fail them.
Every singular and every kind of generic invariant test is made to fail at least once.

Families: (a) metric bounds from the catalogue, (b) ratio = numerator / denominator,
(c) additive slices sum to the total, (d) growth accounting, (e) shares sum to one,
(f) [0, 1] bounds on the marts.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import ROOT

DBT = Path(sys.executable).parent / "dbt"
GROWTH = "marts.fct_creator_growth_weekly"
CORRUPTIONS = (
    # (a) A rate of 1.5 in one slice, its numerator moved with it so the ratio holds ...
    """update metrics.metric_daily set value = 1.5, numerator = 1.5 * denominator
        where metric_name = 'completion_rate' and dimension_name = 'consumption__device'
            and dimension_value = 'ios' and metric_date = '2026-09-20'""",
    # ... and a negative count of a metric that is neither additive nor a ratio.
    """update metrics.metric_daily set value = -5
        where metric_name = 'daily_active_viewers' and dimension_name = 'viewer_activity__device'
            and dimension_value = 'web' and metric_date = '2026-09-24'""",
    # (b) A ratio's stored numerator no longer gives its value (which stays in [0, 1]).
    """update metrics.metric_daily set numerator = numerator + 1
        where metric_name = 'like_rate' and dimension_name = 'total'
            and metric_date = '2026-09-18'""",
    # (c) The total of an additive metric is doubled on one day (one failing row per
    # dimension of the metric) ...
    """update metrics.metric_daily set value = 2 * value
        where metric_name = 'watch_time_ms' and dimension_name = 'total'
            and metric_date = '2026-09-15'""",
    # ... and every slice of one dimension of another is lost on another day: the day
    # still has a total, so its missing slices sum to 0 (one failing row).
    """delete from metrics.metric_daily
        where metric_name = 'views' and dimension_name = 'consumption__device'
            and metric_date = '2026-09-22'""",
    # (d) One churned creator too many: previous actives and the quick ratio no longer tie.
    f"""update {GROWTH} set churned_creators = churned_creators + 1
        where week_start_date = '2026-09-21' and creator_type = 'casual'""",
    # One new creator too many (no one churned, so the quick ratio stays null): only the
    # split of the week's actives breaks.
    f"""update {GROWTH} set new_creators = new_creators + 1
        where week_start_date = '2026-09-14' and creator_type = 'media'""",
    # A week's previous actives no longer those of the week before, every identity of
    # the row kept: only the carry from week to week breaks.
    f"""update {GROWTH} set
            active_creators_previous_week = active_creators_previous_week + 1,
            churned_creators = churned_creators + 1,
            retention_rate = retained_creators / (active_creators_previous_week + 1),
            quick_ratio = (new_creators + resurrected_creators) / (churned_creators + 1)
        where week_start_date = '2026-09-28' and creator_type = 'media'""",
    # A retention rate that is not retained / previous actives (still in [0, 1]).
    f"""update {GROWTH} set retention_rate = 0.5
        where week_start_date = '2026-09-14' and creator_type = 'individual_pro'""",
    # (e) Tool shares of one day no longer add up to one (the share stays below 1).
    """update marts.fct_tool_usage_daily set share_of_posts = share_of_posts + 0.01
        where published_date = '2026-09-12' and tool_code = 'none'""",
    # The design's variant shares of one day no longer add up to one (each still in [0, 1]).
    """update marts.fct_experiment_assignment_daily set expected_variant_share = 0.6
        where experiment_id = 'exp_rank_v2' and unit_type = 'viewer'
            and variant = 'treatment' and assignment_date = '2026-09-22'""",
    # (f) A concentration index above 1.
    """update marts.fct_distribution_daily set creator_impression_gini = 1.2
        where impression_date = '2026-09-25' and surface_code = 'for_you'""",
)
WATCH_TIME_DIMENSIONS = """select count(distinct dimension_name) from metrics.metric_daily
    where metric_name = 'watch_time_ms' and metric_date = '2026-09-15'
        and dimension_name <> 'total'"""
# Test name -> rows it returns on the corrupted copy (None: the count read from the copy).
EXPECTED_FAILURES = {
    "assert_metric_values_within_catalogue_bounds": 2,
    "assert_ratio_metrics_equal_numerator_over_denominator": 1,
    "assert_additive_metrics_sum_to_total": None,
    "expression_is_true_fct_creator_growth_weekly_"
    "active_creators_new_creators_retained_creators_resurrected_creators": 1,
    "expression_is_true_fct_creator_growth_weekly_"
    "active_creators_previous_week_retained_creators_churned_creators": 1,
    "assert_creator_growth_previous_week_carried": 1,
    "equals_expression_fct_creator_growth_weekly_"
    "retention_rate__retained_creators_nullif_active_creators_previous_week_0_": 1,
    "equals_expression_fct_creator_growth_weekly_"
    "quick_ratio___new_creators_resurrected_creators_nullif_churned_creators_0_": 1,
    "sums_to_one_fct_tool_usage_daily_share_of_posts__published_date": 1,
    "sums_to_one_fct_experiment_assignment_daily_expected_variant_share__"
    "experiment_id__unit_type__assignment_date": 1,
    "accepted_range_fct_distribution_daily_creator_impression_gini__1__0": 1,
}


def _invariant_results(warehouse: Path, raw_dir: Path, work: Path) -> dict[str, tuple[str, int]]:
    """Runs the invariant tests against a warehouse; test name -> (status, failures)."""
    env = {
        **os.environ,
        "PGC_RAW_DIR": str(raw_dir),
        "PGC_DUCKDB_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(ROOT),
        "DO_NOT_TRACK": "1",
    }
    command = [
        str(DBT), "test", "--select", "tag:invariant", "--quiet",
        "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
    ]  # fmt: skip
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    run_results = work / "target" / "run_results.json"
    assert completed.returncode in (0, 1) and run_results.exists(), completed.stdout[-3000:]
    manifest = json.loads((work / "target" / "manifest.json").read_text())
    return {
        manifest["nodes"][result["unique_id"]]["name"]: (result["status"], result["failures"])
        for result in json.loads(run_results.read_text())["results"]
        if result["unique_id"].startswith("test.")  # not the project's run hooks
    }


@pytest.fixture(scope="module")
def source_warehouse() -> Path:
    path = ROOT / os.environ.get("PGC_TEST_WAREHOUSE", "warehouse/tiny.duckdb")
    if not path.exists():
        pytest.fail(f"no warehouse at {path}: run `make test-warehouse` (or `make test`)")
    return path


@pytest.fixture(scope="module")
def corrupted_run(source_warehouse: Path, raw_dir: Path, tmp_path_factory):
    work = tmp_path_factory.mktemp("invariants_corrupted")
    copy = work / "tiny.duckdb"
    shutil.copyfile(source_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        (dimensions,) = con.execute(WATCH_TIME_DIMENSIONS).fetchone()
        for statement in CORRUPTIONS:
            con.execute(statement)
    expected = {
        name: rows if rows is not None else dimensions + 1
        for name, rows in EXPECTED_FAILURES.items()
    }
    return _invariant_results(copy, raw_dir, work), expected


@pytest.fixture(scope="module")
def clean_run(source_warehouse: Path, raw_dir: Path, tmp_path_factory):
    work = tmp_path_factory.mktemp("invariants_clean")
    copy = work / "tiny.duckdb"
    shutil.copyfile(source_warehouse, copy)
    return _invariant_results(copy, raw_dir, work)


def test_exactly_the_guarding_tests_fail_with_the_planted_rows(corrupted_run):
    results, expected = corrupted_run
    failed = {name: failures for name, (status, failures) in results.items() if status != "pass"}
    assert failed == expected
    assert {status for status, _ in results.values()} == {"pass", "fail"}


def test_every_invariant_test_ran_and_passes_untouched(clean_run, corrupted_run):
    results, expected = corrupted_run
    assert set(clean_run) == set(results)
    assert set(expected) <= set(results)
    assert len(results) >= 20
    assert {name for name, (status, _) in clean_run.items() if status != "pass"} == set()
