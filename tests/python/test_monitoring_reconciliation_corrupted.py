"""Each reconciliation check can fail: a copy of the tiny warehouse is corrupted in a few
independent places, and exactly the checks that read those places fail, naming the table
and the day in their detail. (The row-level and identity invariants are dbt tests:
test_dbt_invariants_corrupted.py.)"""

import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from python_checks.monitoring.check_results import results_frame
from python_checks.monitoring.validation import validation_results
from python_checks.warehouse.check_inputs import read_validation_inputs
from tests.python.conftest import ROOT

STG_TO_INT = "staging.stg_pgc__views = intermediate.int_views_enriched"
CORRUPTIONS = (
    # A staged view vanishes (an incomplete one, so completions still tie).
    """delete from staging.base_pgc__views where view_id = (
        select min(view_id) from staging.stg_pgc__views
        where view_date = '2026-09-10' and not is_completed and watch_ms > 0)""",
    # A content-day row with completed views is lost from the content mart.
    """delete from marts.fct_content_daily
        where activity_date = '2026-09-28' and content_id = (
            select min(content_id) from marts.fct_content_daily
            where activity_date = '2026-09-28' and completed_view_count > 0)""",
    # The total of a metric is doubled on one day; its slices are left alone.
    """update metrics.metric_daily set value = 2 * value
        where metric_name = 'watch_time_ms' and dimension_name = 'total'
            and metric_date = '2026-09-15'""",
)
# (check_name, subject) -> pattern its detail must contain (the number of days compared
# follows the data: engagements late on the last day add a day to the content mart).
EXPECTED_FAILURES = {
    ("reconciliation.raw_to_staging", "views"): r"\+1 rows unaccounted",
    ("reconciliation.staging_to_marts", f"views: {STG_TO_INT}"): "on 2026-09-10",
    ("reconciliation.staging_to_marts", f"watch_ms: {STG_TO_INT}"): "on 2026-09-10",
    **{
        (
            "reconciliation.staging_to_marts",
            f"{measure}: {source} = marts.fct_content_daily",
        ): r"^1 of \d+ days differ; largest on 2026-09-28"
        for measure, source in (
            ("views", "intermediate.int_views_enriched"),
            ("watch_ms", "intermediate.int_views_enriched"),
            ("completed_views", "staging.stg_pgc__views"),
        )
    },
    (
        "reconciliation.marts_to_metrics",
        "watch_time_ms: marts.fct_viewer_daily = metrics.metric_daily[watch_time_ms]",
    ): "on 2026-09-15",
}


@pytest.fixture(scope="module")
def corrupted_run(tmp_path_factory, raw_dir: Path):
    copy = tmp_path_factory.mktemp("corrupted") / "tiny.duckdb"
    shutil.copyfile(ROOT / os.environ.get("PGC_TEST_WAREHOUSE", "warehouse/tiny.duckdb"), copy)
    with duckdb.connect(str(copy)) as con:
        for statement in CORRUPTIONS:
            con.execute(statement)
    with duckdb.connect(str(copy), read_only=True) as con:
        return results_frame(validation_results(read_validation_inputs(con, raw_dir)))


def test_exactly_the_checks_reading_a_corrupted_place_fail(corrupted_run):
    blocking = corrupted_run[corrupted_run["blocking"]]
    failed = blocking[blocking["status"] == "fail"]
    assert set(zip(failed["check_name"], failed["subject"], strict=True)) == set(EXPECTED_FAILURES)


@pytest.mark.parametrize(("check", "needle"), EXPECTED_FAILURES.items(), ids=str)
def test_a_failure_names_where_it_broke(corrupted_run, check, needle):
    check_name, subject = check
    (row,) = corrupted_run[
        (corrupted_run["check_name"] == check_name) & (corrupted_run["subject"] == subject)
    ].itertuples()
    assert row.status == "fail" and row.blocking
    assert re.search(needle, row.detail), row.detail
