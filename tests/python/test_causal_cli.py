"""`pgc causal`: the table it prints, checks.causal_estimates, the report's causal section,
and one-line errors (exit 2) for what the user must fix."""

import contextlib
import io
import os
import re
import shutil

import duckdb
import pandas as pd
import pytest

from python_checks import cli
from python_checks.causal.estimate import CausalEstimate
from python_checks.causal.studies import StudyResult
from python_checks.reporting.causal_layout import grouped_notes, render_study
from python_checks.reporting.causal_section import causal_report_section, event_study_svg
from tests.python.conftest import ROOT

WAREHOUSE = str(ROOT / os.environ.get("PGC_TEST_WAREHOUSE", "warehouse/tiny.duckdb"))


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    """A copy of the tiny warehouse `pgc causal` may write into."""
    copy = tmp_path_factory.mktemp("causal") / "tiny.duckdb"
    shutil.copyfile(WAREHOUSE, copy)
    return copy


@pytest.fixture(scope="module")
def rewards_run(writable):
    """One `pgc causal rewards` run on the copy: (exit code, stdout)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["causal", "rewards", "--warehouse", str(writable)])
    return code, out.getvalue()


def test_rewards_prints_one_table_and_stores_one_row_per_estimate(rewards_run, writable):
    code, out = rewards_run
    assert code == 0
    header = next(line for line in out.splitlines() if line.lstrip().startswith("estimator"))
    for column in ("estimand", "estimate", "95% interval", "key assumption", "verdict"):
        assert column in header
    (run_id,) = re.search(r"run ([0-9a-f]{12}): (\d+) estimates", out).groups()[:1]
    with duckdb.connect(str(writable), read_only=True) as con:
        stored = con.execute(
            "select estimator, outcome, count(*) as n from checks.causal_estimates "
            "where run_id = ? group by all",
            [run_id],
        ).df()
        curves = con.execute(
            "select distinct curve from checks.causal_curves where run_id = ?", [run_id]
        ).fetchall()
        gap_periods = con.execute(
            "select period from checks.causal_curves where run_id = ? "
            "and curve = 'synthetic_gap' order by position",
            [run_id],
        ).fetchall()
    assert (stored["n"] == 1).all()  # one row per estimator x outcome x run
    printed = [line for line in out.splitlines() if re.match(r"\s+(naive|twfe|synthetic)", line)]
    assert len(stored) >= len(printed) > 0
    assert {"naive", "twfe", "callaway_santanna", "synthetic_control"} <= set(stored["estimator"])
    assert {c for (c,) in curves} == {"event_study", "synthetic_gap"}
    assert gap_periods[0][0] == "2026-09-07"  # the day index mapped back to its date


def test_the_report_draws_the_causal_section(rewards_run, writable, tmp_path, capsys):
    out = tmp_path / "report.html"
    assert cli.main(["report", "--warehouse", str(writable), "--out", str(out)]) == 0
    html = out.read_text()
    section = html[html.index('id="causal"') :]
    assert "What the rewards program caused" in section
    assert section.count('class="interval"') > 5  # the event study's intervals
    assert 'class="synthetic"' in section and 'class="actual"' in section
    assert "http" not in section


def test_tools_study_runs_without_storing(capsys):
    assert cli.main(["causal", "tools", "--warehouse", WAREHOUSE, "--no-store"]) == 0
    out = capsys.readouterr().out
    assert "scheduler:callaway_santanna" in out and "editor:naive" in out
    assert "checks.causal_estimates" not in out


def test_a_missing_warehouse_is_a_one_line_usage_error(tmp_path, capsys):
    assert cli.main(["causal", "rewards", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "none.duckdb" in err


def test_a_warehouse_without_the_marts_names_the_table(tmp_path, capsys):
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert cli.main(["causal", "rewards", "--warehouse", str(empty)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "fct_creator_daily" in err


def _estimate(estimator: str, verdict: str = "pass") -> CausalEstimate:
    return CausalEstimate(
        estimator, "ATT", "post_count", 0.25, 0.05, 0.15, 0.35, 100, 10, 5, "sample",
        "parallel <trends>", verdict, "note & more", {"e_value": 1.8},
    )  # fmt: skip


def test_the_layout_shows_every_column_and_merges_repeated_notes():
    result = StudyResult(
        "rewards",
        (_estimate("twfe"), _estimate("naive", "none")),
        notes=("rd_sharp post_count skipped: too few", "rd_sharp view_count skipped: too few"),
    )
    text = render_study(result)
    assert "[0.150, 0.350]" in text and "1.800" in text and "parallel trends" in text
    assert grouped_notes(result.notes) == ["rd_sharp (post_count, view_count) skipped: too few"]


def test_the_section_escapes_text_and_plots_each_interval():
    estimates = pd.DataFrame([{**vars(_estimate("twfe")), "e_value": 1.8}]).drop(
        columns=["diagnostics"]
    )
    curves = pd.DataFrame(
        {"curve": "event_study", "series": "post_count", "position": [-1, 0, 1],
         "estimate": [0.0, 0.3, 0.2], "ci_low": [-0.1, 0.1, 0.0], "ci_high": [0.1, 0.5, 0.4],
         "period": ["-1", "0", "1"], "actual": None, "synthetic": None, "is_post": False}
    )  # fmt: skip
    body = str(causal_report_section(estimates, curves).body)
    assert "parallel &lt;trends&gt;" in body and "note &amp; more" in body
    assert body.count('class="interval"') == 3
    assert event_study_svg([], [], [], []).startswith("<svg")
