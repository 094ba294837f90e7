"""One entry point for the statistical validation of the built tables:
reconciliation, invariants and distribution-shift monitors, with the p-values of all
statistical monitors of the run adjusted together (Benjamini-Hochberg)."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import numpy as np

from python_checks.check_results import CheckResult, benjamini_hochberg
from python_checks.validation.invariants import run_invariants
from python_checks.validation.reconciliation import run_reconciliation
from python_checks.validation.shift_monitors import (
    DEFAULT_SAMPLE_CAP,
    day_vs_week_before,
    last_event_date,
    latest_periods,
    run_shift_monitors,
)
from python_checks.validation.shift_statistics import PSI_FAIL, PSI_WARN, shift_status

# The false discovery rate the run's statistical monitors are held to.
DEFAULT_ALPHA = 0.05


def run_validation(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path | None = None,
    *,
    shift_days: int = 7,
    shift_day: date | None = None,
    sample_cap: int = DEFAULT_SAMPLE_CAP,
    alpha: float = DEFAULT_ALPHA,
) -> list[CheckResult]:
    """Every validation check on an open (read-only is enough) warehouse connection.

    `raw_dir`: the raw Parquet directory; when given, raw row counts are recounted from
    it instead of read from staging.stg_pgc__row_reconciliation. Shift monitors compare
    the last `shift_days` days of the event logs with the `shift_days` before them, or,
    when `shift_day` is given, that day with the same weekday a week earlier.
    """
    periods = (
        day_vs_week_before(shift_day)
        if shift_day is not None
        else latest_periods(last_event_date(con), shift_days)
    )
    results = [
        *run_reconciliation(con, raw_dir),
        *run_invariants(con),
        *run_shift_monitors(con, periods, sample_cap),
    ]
    return adjust_for_multiple_testing(results, alpha)


def adjust_for_multiple_testing(
    results: list[CheckResult], alpha: float = DEFAULT_ALPHA
) -> list[CheckResult]:
    """Fill q_value for every result with a p-value (Benjamini-Hochberg over all of them
    together) and set each distribution-shift status from its q-value and PSI."""
    p_values = np.array([np.nan if r.p_value is None else r.p_value for r in results])
    q_values = benjamini_hochberg(p_values)
    adjusted = []
    for result, q_value in zip(results, q_values, strict=True):
        if result.p_value is None:
            adjusted.append(result)
            continue
        status = result.status
        if result.category == "distribution_shift":
            status = shift_status(float(q_value), result.effect_size, alpha, PSI_WARN, PSI_FAIL)
        adjusted.append(replace(result, q_value=float(q_value), status=status))
    return adjusted
