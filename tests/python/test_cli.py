"""The `pgc` command line: output text, exit codes, and `pgc check` writing the checks schema."""

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from python_checks import cli
from python_checks.cli import experiment as experiment_cli
from python_checks.monitoring import check_runner
from python_checks.monitoring.check_results import CheckResult
from python_checks.reporting import formats
from python_checks.stats.multiple_testing import ADJUSTMENTS
from python_checks.warehouse.check_store import write_check_run

ROOT = Path(__file__).resolve().parents[2]
WAREHOUSE = str(ROOT / os.environ.get("PGC_TEST_WAREHOUSE", "warehouse/tiny.duckdb"))


def _explain(*args: str) -> list[str]:
    return ["explain", *args, "--warehouse", WAREHOUSE]


def test_explain_prints_the_culprit_and_the_change(capsys, warehouse):
    code = cli.main(_explain("completion_rate", "--date", "2026-09-24", "--baseline-days", "3"))
    out = capsys.readouterr().out
    assert code == 0
    culprit_line = next(line for line in out.splitlines() if line.lstrip().startswith("1  "))
    assert "viewer_region=BR, app_version=31.2" in culprit_line and "yes" in culprit_line
    # the headline change, computed here from metric_daily in percentage points
    (num1, den1), base = (
        warehouse.execute(
            "select sum(numerator), sum(denominator) from metrics.metric_daily "
            "where metric_name = 'completion_rate' and dimension_name = 'total' "
            f"and metric_date {where}"
        ).fetchone()
        for where in ("= date '2026-09-24'", "between date '2026-09-21' and date '2026-09-23'")
    )
    change_pp = 100 * (num1 / den1 - base[0] / base[1])
    assert f"{change_pp:+.2f} pp" in out
    assert "\033[" not in out  # not a terminal: no colour codes


def test_explain_shows_its_progress_on_stderr_only(capsys, warehouse):
    leaves = warehouse.execute(
        "select leaf_sql from metrics.metric_catalogue where metric_name = 'completion_rate'"
    ).fetchone()[0]
    days = ["2026-09-24", "2026-09-17"]  # the day and the default baseline, a week before
    # A leaf is a combination of dimension values with a row on either day.
    (count,) = warehouse.execute(
        "select count(*) from (select distinct * exclude (metric_date, numerator, denominator) "
        f"from ({leaves}) where cast(metric_date as varchar) in ('{days[0]}', '{days[1]}'))"
    ).fetchone()
    assert cli.main(_explain("completion_rate", "--date", days[0])) == 0
    captured = capsys.readouterr()
    steps = [line for line in captured.err.splitlines() if line.startswith("pgc explain [")]
    assert len(steps) == 2 and f"localizing over {count:,} leaves" in steps[0]
    assert steps[-1].endswith("] done") and "pgc explain [" not in captured.out


def test_unknown_metric_lists_close_names(capsys):
    assert cli.main(_explain("completion_rat", "--date", "2026-09-24")) == 2
    err = capsys.readouterr().err
    assert "unknown metric 'completion_rat'" in err and "completion_rate" in err


def test_a_day_outside_the_data_names_the_range(capsys, warehouse):
    first, last = warehouse.execute(
        "select min(metric_date), max(metric_date) from metrics.metric_daily "
        "where metric_name = 'watch_hours' and dimension_name = 'total'"
    ).fetchone()
    assert cli.main(_explain("watch_hours", "--date", "2031-01-01")) == 2
    err = capsys.readouterr().err
    assert f"from {first} to {last}" in err and "2031-01-01" in err


@pytest.mark.parametrize(
    "args",
    [
        ["completion_rate", "--date", "24/09/2026"],
        ["completion_rate", "--date", "2026-09-24", "--baseline-days", "3", "--weeks-back", "1"],
        ["completion_rate", "--date", "2026-09-24", "--top", "0"],
    ],
)
def test_usage_errors_exit_2(args, capsys):
    assert cli.main(_explain(*args)) == 2
    assert "error" in capsys.readouterr().err


def test_parsing_the_command_line_imports_no_computation():
    # A usage error or `pgc --help` must not wait for numpy, pandas, scipy, DuckDB or
    # localization: each subcommand imports what it computes with only when it runs.
    heavy = ("numpy", "pandas", "scipy", "duckdb", "python_checks.diagnosis.localization")
    code = (
        "import sys; from python_checks import cli; cli.build_parser(); "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""


def test_the_adjustments_offered_are_those_computed():
    assert set(experiment_cli.ADJUSTMENT_NAMES) == set(ADJUSTMENTS)


# --------------------------------------------------------------------------- check


def _passing(inputs):
    return check_runner.SuiteOutput(
        (CheckResult("fake.catalogue_not_empty", "invariant", "metric_catalogue", "pass",
                     True, f"{len(inputs)} metrics"),)
    )  # fmt: skip


def _blocking_failure(inputs):
    return check_runner.SuiteOutput(
        (
            CheckResult("fake.rows_match", "reconciliation", "views", "fail", True, "3 rows lost"),
            CheckResult("fake.shift", "distribution_shift", "watch_ms", "warn", False, "KS"),
        )
    )


ANOMALIES = pd.DataFrame(
    {
        "metric_name": ["completion_rate", "completion_rate", "views", "tool_posts"],
        "dimension_name": ["total", "total", "total", "total"],
        "dimension_value": ["total"] * 4,
        "metric_date": [dt.date(2026, 10, 3), dt.date(2026, 10, 4), dt.date(2026, 10, 4),
                        dt.date(2026, 10, 4)],
        "value": [0.5, 0.3, 100.0, 5.0],
        "expected": [0.5, 0.5, 120.0, 9.0],
        "lower": [0.45, 0.45, 110.0, 8.0],
        "upper": [0.55, 0.55, 130.0, 10.0],
        "score": [0.1, -9.0, -5.0, -6.0],
        "p_value": [0.9, 1e-9, 1e-5, 1e-6],
        "q_value": [0.9, 1e-8, 1e-4, 1e-5],
        "is_anomaly": [False, True, True, True],
        "direction": ["down"] * 4,
        "is_bad_direction": [True, True, True, True],
    }
)  # fmt: skip


def _anomaly_suite(catalogue):
    return check_runner.SuiteOutput(check_runner.anomaly_results(ANOMALIES, catalogue), ANOMALIES)


@pytest.fixture
def writable_warehouse(tmp_path):
    """A copy of the tiny warehouse without the runs `make test`'s own `pgc check` kept."""
    copy = tmp_path / "tiny.duckdb"
    shutil.copyfile(WAREHOUSE, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("drop schema if exists checks cascade")
    return copy


def test_exit_codes_and_the_checks_schema(writable_warehouse, warehouse):
    catalogue = warehouse.execute("select * from metrics.metric_catalogue").df()
    ok = (check_runner.Suite("ok", _passing), check_runner.Suite("anomaly", _anomaly_suite))
    inputs = {"ok": catalogue, "anomaly": catalogue, "bad": None}
    first = check_runner.run_checks(inputs, ok)
    second = check_runner.run_checks(inputs, (*ok, check_runner.Suite("bad", _blocking_failure)))
    assert (first.exit_code, second.exit_code) == (0, 1)
    with duckdb.connect(str(writable_warehouse)) as con:
        write_check_run(con, first, "tiny")
        write_check_run(con, second, "tiny")
    with duckdb.connect(str(writable_warehouse), read_only=True) as con:
        runs = con.execute(
            "select run_id, exit_code, suites from checks.check_runs order by run_at"
        ).fetchall()
        assert [(code, suites) for _, code, suites in runs] == [
            (0, "ok,anomaly"),
            (1, "ok,anomaly,bad"),
        ]
        per_run = dict(
            con.execute("select run_id, count(*) from checks.check_results group by all").fetchall()
        )
        assert per_run == {runs[0][0]: 2, runs[1][0]: 4}
        latest = con.execute("select distinct run_id from checks.latest_check_results").fetchall()
        assert latest == [(runs[1][0],)]
        anomalies = con.execute(
            "select count(*), count(distinct run_id) from checks.metric_anomalies"
        ).fetchone()
        assert anomalies == (8, 2)


def test_check_runs_every_suite_on_the_warehouse(writable_warehouse, raw_dir, capsys):
    assert cli.main(["check", "--warehouse", str(writable_warehouse), "--raw", str(raw_dir)]) == 0
    out = capsys.readouterr().out
    assert "Checks by category" in out and "reconciliation" in out and "anomaly" in out
    with duckdb.connect(str(writable_warehouse), read_only=True) as con:
        suites, code = con.execute("select suites, exit_code from checks.check_runs").fetchone()
        categories = {
            row[0] for row in con.execute("select category from checks.check_results").fetchall()
        }
    assert (suites, code) == ("validation,anomaly", 0)
    assert {"reconciliation", "distribution_shift", "anomaly"} <= categories


def test_check_shows_its_progress_on_stderr_only(writable_warehouse, raw_dir, capsys):
    cli.main(["check", "--warehouse", str(writable_warehouse), "--raw", str(raw_dir)])
    captured = capsys.readouterr()
    steps = [line for line in captured.err.splitlines() if line.startswith("pgc check [")]
    assert any(f"counting raw rows in {raw_dir}" in step for step in steps)
    assert any("running the anomaly checks" in step for step in steps)
    assert steps[-1].endswith("] done")
    seconds = [float(step.split("[")[1].split(" s]")[0]) for step in steps]
    assert seconds == sorted(seconds)
    assert "pgc check [" not in captured.out


def test_anomalies_warn_only_for_watched_metrics_on_the_latest_day(warehouse):
    catalogue = warehouse.execute("select * from metrics.metric_catalogue").df()
    results = check_runner.anomaly_results(ANOMALIES, catalogue)
    # completion_rate is a guardrail (warn on 10-04); views and tool_posts are L2: not watched
    assert [(r.subject, r.status, r.blocking) for r in results] == [
        ("completion_rate", "warn", False)
    ]


def test_a_suite_that_cannot_run_fails_and_blocks():
    def broken(inputs):
        raise KeyError("no column 'metric_date'")

    suites = [check_runner.Suite("v", broken), check_runner.Suite("r", broken)]
    unreadable = check_runner.SuiteReadError("IOException: cannot open the table (at x.py:3)")
    run = check_runner.run_checks({"v": object(), "r": unreadable}, suites)
    assert run.exit_code == 1
    assert list(run.results["check_name"]) == ["suite.v", "suite.r"]
    assert run.results["blocking"].all() and (run.results["status"] == "fail").all()
    assert "no column 'metric_date'" in run.results.loc[0, "detail"]
    assert "cannot open the table" in run.results.loc[1, "detail"]


# ------------------------------------------------------------------------- formats


def test_numbers_have_separators_signs_and_percentages():
    assert formats.format_value(1234567.891, "#,##0.0") == "1,234,567.9"
    assert formats.format_value(-0.0432, "0.0%", signed=True) == "-4.3%"
    assert formats.format_value(12.5, "$#,##0.00", signed=True) == "+$12.50"
    assert formats.format_value(0.00001, "0.00", signed=True) == "+0.00"
    assert formats.format_change(-0.02808, "0.0%") == "-2.81 pp"
    assert formats.format_change(2.268, "#,##0.0") == "+2.27"
    assert formats.format_value(float("nan")) == "-"


def test_tables_align_labels_left_and_numbers_right():
    text = formats.render_table(["name", "value"], [["a", "1"], ["long name", "1,000"]])
    lines = text.splitlines()
    assert lines[2] == "  a              1"
    assert lines[3] == "  long name  1,000"
    assert len({len(line) for line in lines}) == 1


def _incident_file(tmp_path: Path) -> Path:
    """One period of failed / total sessions per cdn x device leaf, 2% failing, except cdn c3
    where a quarter of the sessions fail: the planted root cause is {cdn: c3}."""
    rows = [
        {"cdn": f"c{c}", "device": f"d{d}", "total": 1_000 + 37 * c + 11 * d}
        for c in range(8)
        for d in range(5)
    ]
    frame = pd.DataFrame(rows)
    rate = frame["cdn"].map(lambda cdn: 0.25 if cdn == "c3" else 0.02)
    frame["failed"] = (frame["total"] * rate).round().astype(int)
    path = tmp_path / "incident.csv"
    frame.to_csv(path, index=False)
    return path


def test_localize_prints_the_root_cause_of_a_file(tmp_path, capsys):
    path = _incident_file(tmp_path)
    assert cli.main(["localize", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"cdn": "c3"}]
    assert cli.main(["localize", str(path)]) == 0
    table = capsys.readouterr().out
    assert "cdn=c3" in table.splitlines()[3]  # first row under the header and rule


def test_localize_caps_the_causes_and_thresholds_their_confidence(tmp_path, capsys):
    """Two CDNs break (c3 with 25% failing, c6 with 15%): both are root causes, each with a
    confidence; --max-causes 1 keeps the stronger; --min-confidence drops a weak cause."""
    path = _incident_file(tmp_path)
    frame = pd.read_csv(path)
    broken = frame["cdn"] == "c6"
    frame.loc[broken, "failed"] = (frame.loc[broken, "total"] * 0.15).round().astype(int)
    frame.to_csv(path, index=False)
    assert cli.main(["localize", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"cdn": "c3"}, {"cdn": "c6"}]
    assert cli.main(["localize", str(path), "--json", "--max-causes", "1"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"cdn": "c3"}]
    assert cli.main(["localize", str(path)]) == 0
    first_row = capsys.readouterr().out.splitlines()[3]
    assert first_row.rstrip().endswith("100.0%")  # the confidence column
    # Four leaves forecast at 100, one at 60: its confidence is 0.89
    # (tests/python/test_diagnosis_localization.py computes it by hand).
    small = tmp_path / "forecast.csv"
    small.write_text(
        "a,b,real,predict\na0,b0,60,100\na0,b1,100,100\na1,b0,100,100\na1,b1,100,100\n"
    )
    assert cli.main(["localize", str(small), "--json", "--min-confidence", "0.85"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"a": "a0", "b": "b0"}]
    assert cli.main(["localize", str(small), "--json", "--min-confidence", "0.9"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert cli.main(["localize", str(path), "--min-confidence", "1.5"]) == 2
    assert "not a number from 0 to 1" in capsys.readouterr().err


def test_localize_names_the_file_and_column_it_cannot_read(tmp_path, capsys):
    path = _incident_file(tmp_path)
    assert cli.main(["localize", str(path), "--actual", "failures"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "'failures'" in err
    assert cli.main(["localize", str(tmp_path / "missing.csv")]) == 2
    assert "missing.csv" in capsys.readouterr().err
