"""Each blocking check can fail: a copy of the tiny warehouse is corrupted in a few
independent places, and exactly the checks that read those places fail, naming the table
and the day (or week) in their detail."""

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from python_checks.check_results import results_frame
from python_checks.validation import run_validation
from tests.python.conftest import ROOT

GROWTH = "marts.fct_creator_growth_weekly"
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
    # A rate above one in one slice.
    """update metrics.metric_daily set value = 1.5
        where metric_name = 'completion_rate' and dimension_name = 'viewer_activity__device'
            and dimension_value = 'ios' and metric_date = '2026-09-20'""",
    # One churned creator too many.
    f"""update {GROWTH} set churned_creators = churned_creators + 1
        where week_start_date = '2026-09-21' and creator_type = 'casual'""",
    # Tool shares no longer add up to one.
    """update marts.fct_tool_usage_daily set share_of_posts = share_of_posts + 0.01
        where published_date = '2026-09-12' and tool_code = 'none'""",
)
# (check_name, subject) -> text its detail must contain.
EXPECTED_FAILURES = {
    ("reconciliation.raw_to_staging", "views"): "+1 rows unaccounted",
    ("reconciliation.staging_to_marts", f"views: {STG_TO_INT}"): "on 2026-09-10",
    ("reconciliation.staging_to_marts", f"watch_ms: {STG_TO_INT}"): "on 2026-09-10",
    **{
        (
            "reconciliation.staging_to_marts",
            f"{measure}: {source} = marts.fct_content_daily",
        ): "1 of 28 days differ; largest on 2026-09-28"
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
    ("invariant.additive_slices_sum_to_total", "watch_time_ms"): "metric_date=2026-09-15",
    ("invariant.metric_bounds", "completion_rate"): "metric_date=2026-09-20",
    ("invariant.ratio_equals_numerator_over_denominator", "completion_rate"): "value=1.5",
    ("invariant.growth_previous_active_split", GROWTH): "week_start_date=2026-09-21",
    ("invariant.growth_ratios", GROWTH): "creator_type=casual",
    ("invariant.shares_sum_to_one", "marts.fct_tool_usage_daily"): "2026-09-12",
}


@pytest.fixture(scope="module")
def corrupted_run(tmp_path_factory, raw_dir: Path):
    copy = tmp_path_factory.mktemp("corrupted") / "tiny.duckdb"
    shutil.copyfile(ROOT / os.environ.get("PGC_TEST_WAREHOUSE", "warehouse/tiny.duckdb"), copy)
    with duckdb.connect(str(copy)) as con:
        for statement in CORRUPTIONS:
            con.execute(statement)
    with duckdb.connect(str(copy), read_only=True) as con:
        return results_frame(run_validation(con, raw_dir))


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
    assert needle in row.detail
