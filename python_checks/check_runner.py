"""`pgc check`: run every check suite, keep the results in the warehouse, decide the exit code.

A suite is a callable taking a `SuiteContext` and returning a `SuiteOutput` (its results, and
for the anomaly suite the anomaly frame). `SUITES` is the one registry; the validation and
anomaly modules are imported by name when their suite runs, so a suite whose module is
missing or raises becomes one failing, blocking result instead of a crash: a check that could
not run must not pass silently.

Tables (schema `checks`, history kept across runs, one `run_id` per run):

- `checks.check_runs`: run_id, run_at, warehouse, suites, exit_code;
- `checks.check_results`: run_id, run_at + the CheckResult columns;
- `checks.metric_anomalies`: run_id + the anomaly frame's columns;
- `checks.latest_check_results`: a view of the results of the most recent run.
"""

from __future__ import annotations

import datetime as dt
import importlib
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from python_checks.check_results import CheckResult, results_frame

ALERT_TIERS = ("north_star", "L1", "guardrail")


@dataclass(frozen=True)
class SuiteContext:
    """What a suite may read: the warehouse connection and the raw data folder."""

    con: duckdb.DuckDBPyConnection
    raw_dir: Path | None


@dataclass(frozen=True)
class SuiteOutput:
    """A suite's results, and the anomaly frame when the suite scores metrics."""

    results: tuple[CheckResult, ...]
    anomalies: pd.DataFrame | None = None


@dataclass(frozen=True)
class Suite:
    name: str
    run: Callable[[SuiteContext], SuiteOutput]


@dataclass(frozen=True)
class CheckRun:
    """One `pgc check` run: its id, the results frame, anomalies and the exit code."""

    run_id: str
    run_at: dt.datetime
    results: pd.DataFrame
    anomalies: pd.DataFrame | None
    exit_code: int


def _validation_suite(context: SuiteContext) -> SuiteOutput:
    validation = importlib.import_module("python_checks.validation")
    return SuiteOutput(tuple(validation.run_validation(context.con, raw_dir=context.raw_dir)))


def _anomaly_suite(context: SuiteContext) -> SuiteOutput:
    anomaly = importlib.import_module("python_checks.anomaly")
    catalogue = anomaly.load_catalogue(context.con)
    frame = anomaly.detect_anomalies(anomaly.load_metric_daily(context.con), catalogue)
    return SuiteOutput(anomaly_results(frame, catalogue), frame)


SUITES: tuple[Suite, ...] = (
    Suite("validation", _validation_suite),
    Suite("anomaly", _anomaly_suite),
)


def anomaly_results(anomalies: pd.DataFrame, catalogue: pd.DataFrame) -> tuple[CheckResult, ...]:
    """One result per certified north_star / L1 / guardrail metric scored at the total on the
    latest scored day: warn when it is an anomaly in the bad direction, pass otherwise.

    Anomalies never block: a metric moving is news for people, not a broken pipeline; slice
    anomalies and earlier days stay in `checks.metric_anomalies` for the report.
    """
    if anomalies.empty:
        return ()
    watched = catalogue[catalogue["tier"].isin(ALERT_TIERS) & (catalogue["status"] == "certified")][
        "metric_name"
    ]
    totals = anomalies[
        (anomalies["dimension_name"] == "total") & anomalies["metric_name"].isin(set(watched))
    ]
    latest = totals[totals["metric_date"] == totals["metric_date"].max()]
    return tuple(_anomaly_result(row) for row in latest.itertuples())


def _anomaly_result(row) -> CheckResult:
    flagged = bool(row.is_anomaly) and bool(row.is_bad_direction)
    relative = (row.value - row.expected) / row.expected if row.expected else None
    detail = (
        f"{row.metric_date}: {row.value:,.4g} vs expected {row.expected:,.4g} "
        f"[{row.lower:,.4g}, {row.upper:,.4g}], moved {row.direction}"
    )
    return CheckResult(
        check_name="anomaly.metric_total",
        category="anomaly",
        subject=row.metric_name,
        status="warn" if flagged else "pass",
        blocking=False,
        detail=detail,
        statistic=float(row.score),
        p_value=float(row.p_value),
        q_value=float(row.q_value),
        effect_size=relative,
    )


def _run_suite(suite: Suite, context: SuiteContext) -> SuiteOutput:
    try:
        return suite.run(context)
    except Exception as error:  # any failure of a suite becomes a result
        where = traceback.extract_tb(error.__traceback__)[-1]
        detail = f"{type(error).__name__}: {error} (at {Path(where.filename).name}:{where.lineno})"
        result = CheckResult(f"suite.{suite.name}", "suite", suite.name, "fail", True, detail)
        return SuiteOutput((result,))


def exit_code(results: pd.DataFrame) -> int:
    """1 when any blocking check failed, else 0."""
    blocking_failures = results[(results["status"] == "fail") & results["blocking"].astype(bool)]
    return 1 if len(blocking_failures) else 0


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists checks")
    con.execute(
        "create table if not exists checks.check_runs (run_id varchar primary key, "
        "run_at timestamp, warehouse varchar, suites varchar, exit_code integer)"
    )
    con.execute(
        "create table if not exists checks.check_results (run_id varchar, run_at timestamp, "
        "check_name varchar, category varchar, subject varchar, status varchar, "
        "blocking boolean, detail varchar, statistic double, p_value double, q_value double, "
        "effect_size double, threshold double)"
    )
    con.execute(
        "create or replace view checks.latest_check_results as select * "
        "from checks.check_results where run_id = (select run_id from checks.check_runs "
        "order by run_at desc limit 1)"
    )


def write_run(con: duckdb.DuckDBPyConnection, run: CheckRun, warehouse: str, suites: str) -> None:
    """Append the run, its results and anomalies to the checks schema."""
    _create_tables(con)
    con.execute(
        "insert into checks.check_runs values (?, ?, ?, ?, ?)",
        [run.run_id, run.run_at, warehouse, suites, run.exit_code],
    )
    results = run.results.assign(run_id=run.run_id, run_at=run.run_at)
    con.register("new_check_results", results)
    con.execute("insert into checks.check_results by name select * from new_check_results")
    con.unregister("new_check_results")
    if run.anomalies is not None and not run.anomalies.empty:
        anomalies = run.anomalies.assign(run_id=run.run_id)
        con.register("new_anomalies", anomalies)
        con.execute(
            "create table if not exists checks.metric_anomalies as "
            "select * from new_anomalies limit 0"
        )
        con.execute("insert into checks.metric_anomalies by name select * from new_anomalies")
        con.unregister("new_anomalies")


def run_checks(
    warehouse: str | Path, raw_dir: Path | None = None, suites: Sequence[Suite] | None = None
) -> CheckRun:
    """Run `suites` (the registry `SUITES` when None) against the warehouse (opened
    read-write), store everything, and return the run with its exit code."""
    suites = SUITES if suites is None else suites
    if not Path(warehouse).exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: build it with `make run`")
    with duckdb.connect(str(warehouse)) as con:
        context = SuiteContext(con, raw_dir)
        outputs = [_run_suite(suite, context) for suite in suites]
        results = results_frame(r for output in outputs for r in output.results)
        frames = [o.anomalies for o in outputs if o.anomalies is not None]
        anomalies = pd.concat(frames, ignore_index=True) if frames else None
        run = CheckRun(
            uuid.uuid4().hex[:12],
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
            results,
            anomalies,
            exit_code(results),
        )
        write_run(con, run, str(warehouse), ",".join(suite.name for suite in suites))
    return run
