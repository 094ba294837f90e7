"""`pgc check`: run every check suite on what the warehouse layer read, and decide the exit
code.

A suite is a name and a function from its inputs to a `SuiteOutput` (its results, and for the
anomaly suite the anomaly frame). `SUITES` is the one registry of suites; the warehouse
layer reads each suite's inputs under the same name (`warehouse.check_inputs`). A suite
whose inputs could not be read (a `SuiteReadError`) or whose computation raises becomes
one failing, blocking result instead of a crash: a check that could not run must not pass
silently.
"""

from __future__ import annotations

import datetime as dt
import traceback
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from python_checks.monitoring.anomalies import detect_anomalies
from python_checks.monitoring.check_results import CheckResult, results_frame
from python_checks.monitoring.validation import ValidationInputs, validation_results

ALERT_TIERS = ("north_star", "L1", "guardrail")


@dataclass(frozen=True)
class SuiteReadError:
    """Why a suite's inputs could not be read."""

    message: str


@dataclass(frozen=True)
class AnomalyInputs:
    """metrics.metric_daily and metrics.metric_catalogue, as the anomaly suite reads them."""

    metric_daily: pd.DataFrame
    catalogue: pd.DataFrame


@dataclass(frozen=True)
class SuiteOutput:
    """A suite's results, and the anomaly frame when the suite scores metrics."""

    results: tuple[CheckResult, ...]
    anomalies: pd.DataFrame | None = None


@dataclass(frozen=True)
class Suite:
    name: str
    run: Callable[[object], SuiteOutput]


@dataclass(frozen=True)
class CheckRun:
    """One `pgc check` run: its id and time, the suites run, the results frame, anomalies and
    the exit code."""

    run_id: str
    run_at: dt.datetime
    suites: tuple[str, ...]
    results: pd.DataFrame
    anomalies: pd.DataFrame | None
    exit_code: int


def _validation_suite(inputs: ValidationInputs) -> SuiteOutput:
    return SuiteOutput(tuple(validation_results(inputs)))


def _anomaly_suite(inputs: AnomalyInputs) -> SuiteOutput:
    frame = detect_anomalies(inputs.metric_daily, inputs.catalogue)
    return SuiteOutput(anomaly_results(frame, inputs.catalogue), frame)


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


def describe_error(error: BaseException) -> str:
    """`Type: message (at file:line)`, where the error was raised."""
    where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    place = f" (at {Path(where.filename).name}:{where.lineno})" if where else ""
    return f"{type(error).__name__}: {error}{place}"


def _failed_suite(suite: Suite, detail: str) -> SuiteOutput:
    return SuiteOutput(
        (CheckResult(f"suite.{suite.name}", "suite", suite.name, "fail", True, detail),)
    )


def _run_suite(suite: Suite, inputs: object) -> SuiteOutput:
    if isinstance(inputs, SuiteReadError):
        return _failed_suite(suite, inputs.message)
    try:
        return suite.run(inputs)
    except Exception as error:  # any failure of a suite becomes a result
        return _failed_suite(suite, describe_error(error))


def exit_code(results: pd.DataFrame) -> int:
    """1 when any blocking check failed, else 0."""
    blocking_failures = results[(results["status"] == "fail") & results["blocking"].astype(bool)]
    return 1 if len(blocking_failures) else 0


def run_checks(
    inputs: Mapping[str, object],
    suites: Sequence[Suite] | None = None,
    progress: Callable[[str], None] = lambda step: None,
) -> CheckRun:
    """Run each suite (the registry SUITES when None) on its inputs (by suite name; a
    missing entry is a read error) and return the run with its results, anomalies and exit
    code; `progress` is told as each suite starts."""
    suites = SUITES if suites is None else suites
    outputs = []
    for suite in suites:
        progress(f"running the {suite.name} checks")
        outputs.append(
            _run_suite(suite, inputs.get(suite.name, SuiteReadError("no inputs were read")))
        )
    results = results_frame(r for output in outputs for r in output.results)
    frames = [o.anomalies for o in outputs if o.anomalies is not None]
    return CheckRun(
        run_id=uuid.uuid4().hex[:12],
        run_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        suites=tuple(suite.name for suite in suites),
        results=results,
        anomalies=pd.concat(frames, ignore_index=True) if frames else None,
        exit_code=exit_code(results),
    )
