"""The causal estimates of each `pgc causal` run, history kept, in the `checks` schema:

- `checks.causal_estimates`: one row per estimator x outcome x run (the CausalEstimate
  columns, its E-values, and the other diagnostics as JSON);
- `checks.causal_curves`: the run's event-study curves (event time, estimate, interval) and
  synthetic-control gap (period, actual, synthetic, gap), which `pgc report` draws.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from python_checks.causal.studies import StudyResult

ESTIMATE_COLUMNS = (
    "run_id varchar, run_at timestamp, warehouse varchar, study varchar, estimator varchar, "
    "estimand varchar, outcome varchar, estimate double, std_error double, ci_low double, "
    "ci_high double, level double, n_obs bigint, n_units bigint, n_treated bigint, "
    "sample varchar, assumption varchar, verdict varchar, verdict_note varchar, "
    "e_value double, e_value_ci double, diagnostics varchar"
)
CURVE_COLUMNS = (
    "run_id varchar, study varchar, curve varchar, series varchar, period varchar, "
    "position integer, estimate double, ci_low double, ci_high double, actual double, "
    "synthetic double, is_post boolean"
)


def _clean(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def estimate_frame(
    result: StudyResult, run_id: str, run_at: dt.datetime, warehouse: str
) -> pd.DataFrame:
    rows = []
    for estimate in result.estimates:
        diagnostics = {k: _clean(v) for k, v in estimate.diagnostics.items()}
        rows.append(
            {
                "run_id": run_id,
                "run_at": run_at,
                "warehouse": warehouse,
                "study": result.study,
                "estimator": estimate.estimator,
                "estimand": estimate.estimand,
                "outcome": estimate.outcome,
                "estimate": estimate.estimate,
                "std_error": estimate.std_error,
                "ci_low": estimate.ci_low,
                "ci_high": estimate.ci_high,
                "level": estimate.level,
                "n_obs": estimate.n_obs,
                "n_units": estimate.n_units,
                "n_treated": estimate.n_treated,
                "sample": estimate.sample,
                "assumption": estimate.assumption,
                "verdict": estimate.verdict,
                "verdict_note": estimate.verdict_note,
                "e_value": estimate.diagnostics.get("e_value"),
                "e_value_ci": estimate.diagnostics.get("e_value_ci"),
                "diagnostics": json.dumps(diagnostics, sort_keys=True, default=str),
            }
        )
    return pd.DataFrame(rows)


def curve_frame(result: StudyResult, run_id: str) -> pd.DataFrame:
    rows = []
    for series, curve in result.event_studies.items():
        for point in curve:
            rows.append(
                {
                    "run_id": run_id,
                    "study": result.study,
                    "curve": "event_study",
                    "series": series,
                    "period": str(point.event_time),
                    "position": point.event_time,
                    "estimate": point.estimate,
                    "ci_low": point.ci_low,
                    "ci_high": point.ci_high,
                    "actual": None,
                    "synthetic": None,
                    "is_post": point.event_time >= 0,
                }
            )
    if result.synthetic is not None:
        first = result.first_date
        for position, gap in enumerate(result.synthetic.gaps):
            period = (
                (first + dt.timedelta(days=int(gap.time))).isoformat()
                if first is not None and isinstance(gap.time, int | float | np.number)
                else str(gap.time)
            )
            rows.append(
                {
                    "run_id": run_id,
                    "study": result.study,
                    "curve": "synthetic_gap",
                    "series": str(result.synthetic.estimate.estimand),
                    "period": period,
                    "position": position,
                    "estimate": gap.gap,
                    "ci_low": None,
                    "ci_high": None,
                    "actual": gap.actual,
                    "synthetic": gap.synthetic,
                    "is_post": gap.is_post,
                }
            )
    return pd.DataFrame(rows)


def _create(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists checks")
    con.execute(f"create table if not exists checks.causal_estimates ({ESTIMATE_COLUMNS})")
    con.execute(f"create table if not exists checks.causal_curves ({CURVE_COLUMNS})")


def write_causal_run(
    con: duckdb.DuckDBPyConnection,
    result: StudyResult,
    run_id: str,
    run_at: dt.datetime,
    warehouse: str,
) -> int:
    """Append the run's estimates and curves; returns the number of estimate rows."""
    _create(con)
    for table, frame in (
        ("causal_estimates", estimate_frame(result, run_id, run_at, warehouse)),
        ("causal_curves", curve_frame(result, run_id)),
    ):
        if frame.empty:
            continue
        con.register("new_rows", frame)
        con.execute(f"insert into checks.{table} by name select * from new_rows")
        con.unregister("new_rows")
    return len(result.estimates)


@dataclass(frozen=True)
class LatestCausalRun:
    """The latest run of a study: its estimates and curves, as stored."""

    study: str
    run_at: dt.datetime
    estimates: pd.DataFrame
    curves: pd.DataFrame


def latest_causal_run(
    con: duckdb.DuckDBPyConnection, study: str = "rewards"
) -> LatestCausalRun | None:
    """The latest stored run of `study`, or None when `pgc causal` has not run."""
    (exists,) = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'checks' "
        "and table_name in ('causal_estimates', 'causal_curves')"
    ).fetchone()
    if exists < 2:
        return None
    latest = con.execute(
        "select run_id, run_at from checks.causal_estimates where study = ? "
        "order by run_at desc limit 1",
        [study],
    ).fetchone()
    if latest is None:
        return None
    run_id, run_at = latest
    estimates = con.execute(
        "select * from checks.causal_estimates where run_id = ? order by rowid", [run_id]
    ).df()
    curves = con.execute(
        "select * from checks.causal_curves where run_id = ? order by curve, series, position",
        [run_id],
    ).df()
    return LatestCausalRun(study, run_at, estimates, curves)
