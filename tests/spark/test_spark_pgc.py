"""`pgc check` and `pgc explain` on the Spark build (read through the warehouse layer's
Spark reader) say what they say on the DuckDB build."""

from __future__ import annotations

import re
import subprocess
import sys

import duckdb
import pandas as pd

from python_checks.monitoring.check_runner import run_checks
from python_checks.warehouse.check_inputs import read_check_inputs
from python_checks.warehouse.connection import connect
from python_checks.warehouse.spark_tables import CHECKS_FILE
from tests.python.conftest import ROOT
from tests.spark.conftest import RAW_DIR, REFERENCE, SPARK_DIR

KEYS = ["check_name", "subject"]
EXACT = ["category", "status", "blocking", "detail"]
NUMBERS = ["statistic", "p_value", "q_value", "effect_size", "threshold"]


def pgc(*arguments: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "python_checks.cli", *arguments]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


def test_check_gives_the_same_results(builds):
    spark = pgc("check", "--warehouse", str(SPARK_DIR), "--raw", str(RAW_DIR))
    with connect(REFERENCE) as con:
        expected = run_checks(read_check_inputs(con, RAW_DIR))
    assert spark.returncode == expected.exit_code, spark.stdout + spark.stderr
    with duckdb.connect(str(SPARK_DIR / CHECKS_FILE), read_only=True) as con:
        actual = con.execute("select * from checks.latest_check_results").df()
    expected_rows = expected.results.sort_values(KEYS).reset_index(drop=True)
    actual_rows = actual.sort_values(KEYS).reset_index(drop=True)
    assert len(expected_rows) > 20
    pd.testing.assert_frame_equal(
        actual_rows[KEYS + EXACT], expected_rows[KEYS + EXACT], check_dtype=False
    )
    pd.testing.assert_frame_equal(
        actual_rows[NUMBERS].astype(float),
        expected_rows[NUMBERS].astype(float),
        rtol=1e-9,
        atol=1e-12,
    )


def explained_metrics() -> list[tuple[str, str]]:
    """The north star and the first two ratio metrics with leaf rows (slices and culprits),
    each with its last day."""
    with connect(REFERENCE) as con:
        return con.execute(
            "with chosen as ((select metric_name from metrics.metric_catalogue "
            "where tier = 'north_star') union all (select metric_name "
            "from metrics.metric_catalogue where metric_type = 'ratio' and leaf_sql is not null "
            "order by 1 limit 2)) "
            "select metric_name, cast(max(metric_date) as varchar) from chosen "
            "join metrics.metric_daily using (metric_name) where dimension_name = 'total' "
            "group by metric_name order by metric_name"
        ).fetchall()


def without_seconds(progress: str) -> str:
    """Progress lines without their elapsed seconds, which differ from run to run."""
    return re.sub(r"\[ *[\d.]+ s\]", "[s]", progress)


def test_explain_says_the_same(builds):
    metrics = explained_metrics()
    assert len(metrics) == 3
    for name, last_day in metrics:
        asked = ("explain", name, "--date", last_day, "--warehouse")
        on_duckdb = pgc(*asked, str(REFERENCE))
        on_spark = pgc(*asked, str(SPARK_DIR))
        assert on_duckdb.returncode == 0, on_duckdb.stderr
        assert "\n" in on_duckdb.stdout.strip()
        assert (on_spark.returncode, on_spark.stdout, without_seconds(on_spark.stderr)) == (
            0,
            on_duckdb.stdout,
            without_seconds(on_duckdb.stderr),
        ), name
