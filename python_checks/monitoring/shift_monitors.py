"""Distribution-shift monitors: for key columns, a current period compared with a baseline
period, one CheckResult per column (category "distribution_shift", never blocking).

Numeric columns get a two-sample KS test on capped, deterministic samples; categorical
columns get a chi-square test of homogeneity on full counts. Both report PSI as the effect
size. Statuses are set after the run's p-values are adjusted together (`validation`). The
warehouse layer reads the samples (`python_checks.warehouse.shift_samples`, where the
monitored columns are listed).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from python_checks.monitoring.check_results import CheckResult, Status
from python_checks.stats.shift_statistics import (
    ShiftStatistics,
    compare_categorical,
    compare_numeric,
)

# Conventional PSI reading (Siddiqi 2006; Yurdakul 2018): below 0.1 no real change,
# 0.1 to 0.25 a moderate shift worth a look, above 0.25 a major shift.
PSI_WARN = 0.1
PSI_FAIL = 0.25


@dataclass(frozen=True)
class Periods:
    """Two closed date ranges: the baseline and the current period."""

    baseline_start: date
    baseline_end: date
    current_start: date
    current_end: date

    def describe(self) -> str:
        return (
            f"{self.current_start}..{self.current_end} vs "
            f"{self.baseline_start}..{self.baseline_end}"
        )


def latest_periods(last_day: date, days: int = 7) -> Periods:
    """The last `days` days up to `last_day` against the `days` days just before them.

    Adjacent weeks (days = 7) contain each weekday once, so the day-of-week pattern of
    traffic cancels out, and the baseline is as recent as possible."""
    if days < 1:
        raise ValueError(f"a period needs at least one day, got days={days}")
    current_start = last_day - timedelta(days=days - 1)
    baseline_end = current_start - timedelta(days=1)
    return Periods(baseline_end - timedelta(days=days - 1), baseline_end, current_start, last_day)


def day_vs_week_before(day: date) -> Periods:
    """One day against the same weekday a week earlier: for single-day incidents."""
    week_before = day - timedelta(days=7)
    return Periods(week_before, week_before, day, day)


@dataclass(frozen=True)
class ShiftSample:
    """One monitored column in both periods, as read: values of a numeric column (a capped,
    deterministic sample) or row counts per category of a categorical one."""

    name: str
    subject: str
    kind: Literal["numeric", "categorical"]
    baseline: np.ndarray | pd.Series
    current: np.ndarray | pd.Series


def shift_result(sample: ShiftSample, periods: Periods) -> CheckResult:
    """The monitor's test and PSI, status "pass" and no q-value until the run's p-values are
    adjusted together (`validation.adjust_for_multiple_testing`)."""
    check_name = f"distribution_shift.{sample.name}"
    baseline, current = sample.baseline, sample.current
    if len(baseline) == 0 or len(current) == 0:
        return CheckResult(
            check_name,
            "distribution_shift",
            sample.subject,
            "pass",
            False,
            f"not compared: no rows in {'baseline' if len(baseline) == 0 else 'current'} "
            f"period ({periods.describe()})",
        )
    compare = compare_numeric if sample.kind == "numeric" else compare_categorical
    shift = compare(baseline, current)
    return CheckResult(
        check_name=check_name,
        category="distribution_shift",
        subject=sample.subject,
        status="pass",
        blocking=False,
        detail=_describe(shift, periods),
        statistic=shift.statistic,
        p_value=shift.p_value,
        effect_size=shift.psi,
        threshold=PSI_WARN,
    )


def shift_status(
    q_value: float | None,
    psi: float | None,
    alpha: float = 0.05,
    psi_warn: float = PSI_WARN,
    psi_fail: float = PSI_FAIL,
) -> Status:
    """`pass` unless the shift is both significant after FDR (q < alpha) and large
    (PSI >= psi_warn); then `warn`, or `fail` from PSI >= psi_fail. With large samples
    almost every p-value is tiny, so significance alone would flag noise-sized shifts."""
    if q_value is None or psi is None or np.isnan(q_value) or q_value >= alpha:
        return "pass"
    if psi >= psi_fail:
        return "fail"
    if psi >= psi_warn:
        return "warn"
    return "pass"


def _describe(shift: ShiftStatistics, periods: Periods) -> str:
    return (
        f"{shift.test} {periods.describe()}: n={shift.n_current} vs {shift.n_baseline}, "
        f"PSI={shift.psi:.4f}; largest move {shift.largest_move}: "
        f"{shift.baseline_share:.1%} -> {shift.current_share:.1%}"
    )
