"""Everything `pgc check` reads, by suite, before any check is computed: a suite whose read
fails gets a SuiteReadError (which the check runner turns into a failing, blocking result)
and the other suites still run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from python_checks.monitoring.check_runner import AnomalyInputs, SuiteReadError, describe_error
from python_checks.monitoring.shift_monitors import day_vs_week_before, latest_periods
from python_checks.monitoring.validation import ValidationInputs
from python_checks.warehouse.metric_layer import daily_rows, load_catalogue
from python_checks.warehouse.reconciliation_reads import TIES, raw_accounting, read_ties
from python_checks.warehouse.shift_samples import (
    DEFAULT_SAMPLE_CAP,
    last_event_date,
    read_shift_samples,
)


def read_validation_inputs(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path | None = None,
    *,
    shift_days: int = 7,
    shift_day: dt.date | None = None,
    sample_cap: int = DEFAULT_SAMPLE_CAP,
    progress: Callable[[str], None] = lambda step: None,
) -> ValidationInputs:
    """Raw accounting (recounted from `raw_dir` when given), every tie, and the shift
    monitors' samples: the last `shift_days` days of the event logs against the
    `shift_days` before them, or `shift_day` against the same weekday a week earlier.
    `progress` is told as each of these reads starts."""
    periods = (
        day_vs_week_before(shift_day)
        if shift_day is not None
        else latest_periods(last_event_date(con), shift_days)
    )
    progress(
        f"counting raw rows in {raw_dir}" if raw_dir is not None else "reading the row accounting"
    )
    accounting = tuple(raw_accounting(con, raw_dir))
    progress(f"reading {len(TIES)} reconciliation ties")
    ties = tuple(read_ties(con, TIES))
    progress("reading the shift monitors' samples")
    return ValidationInputs(
        accounting, ties, periods, tuple(read_shift_samples(con, periods, sample_cap))
    )


def read_anomaly_inputs(
    con: duckdb.DuckDBPyConnection, progress: Callable[[str], None] = lambda step: None
) -> AnomalyInputs:
    """All of metrics.metric_daily (metric_date as datetime64) and the catalogue."""
    progress("reading metrics.metric_daily")
    metric_daily = daily_rows(con, dimensions=None)
    metric_daily["metric_date"] = pd.to_datetime(metric_daily["metric_date"])
    return AnomalyInputs(metric_daily, load_catalogue(con).reset_index(drop=True))


def read_check_inputs(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path | None = None,
    progress: Callable[[str], None] = lambda step: None,
) -> dict[str, object]:
    """Each suite's inputs by suite name, or the SuiteReadError that stopped the read;
    `progress` is told as each read starts."""
    reads: dict[str, Callable[[], object]] = {
        "validation": lambda: read_validation_inputs(con, raw_dir, progress=progress),
        "anomaly": lambda: read_anomaly_inputs(con, progress),
    }
    inputs: dict[str, object] = {}
    for name, read in reads.items():
        try:
            inputs[name] = read()
        except Exception as error:  # a check that could not read must not pass silently
            inputs[name] = SuiteReadError(describe_error(error))
    return inputs
