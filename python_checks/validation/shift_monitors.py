"""Distribution-shift monitors on the warehouse: for key columns, compare a current period
with a baseline period and report one CheckResult per column (category
"distribution_shift", never blocking).

Numeric columns get a two-sample KS test on capped, deterministic samples; categorical
columns get a chi-square test of homogeneity on full counts. Both report PSI as the effect
size. Statuses are set after the run's p-values are adjusted together (see runner).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd

from python_checks.check_results import CheckResult
from python_checks.validation.shift_statistics import (
    PSI_WARN,
    ShiftStatistics,
    compare_categorical,
    compare_numeric,
)

# Per period. KS at n = m = 20,000 detects D >= 1.36 * sqrt(2 / 20,000) = 0.014 at the 5%
# level: far below any shift that reaches PSI 0.1, so the cap costs no power that matters,
# and sampling the same rows every run keeps results reproducible.
DEFAULT_SAMPLE_CAP = 20_000


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
class NumericMonitor:
    """A numeric column compared with KS; `sample_key` orders the deterministic sample."""

    name: str
    relation: str
    day_column: str
    value_sql: str
    sample_key: str


@dataclass(frozen=True)
class CategoricalMonitor:
    """A categorical column whose mix is compared with chi-square."""

    name: str
    relation: str
    day_column: str
    category_sql: str


VIEWS = "intermediate.int_views_enriched"
IMPRESSIONS = "intermediate.int_impressions_enriched"

NUMERIC_MONITORS = (
    NumericMonitor("watch_ms_per_view", VIEWS, "view_date", "watch_ms", "view_id"),
    NumericMonitor(
        "views_per_viewer_day",
        "marts.fct_viewer_daily",
        "activity_date",
        "view_count",
        "viewer_id, activity_date",
    ),
    NumericMonitor(
        "impressions_per_viewer_day",
        "marts.fct_viewer_daily",
        "activity_date",
        "impression_count",
        "viewer_id, activity_date",
    ),
    NumericMonitor(
        "posts_per_creator_day",
        "marts.fct_creator_daily",
        "activity_date",
        "post_count",
        "creator_id, activity_date",
    ),
    NumericMonitor(
        "rank_position_per_impression",
        IMPRESSIONS,
        "impression_date",
        "rank_position",
        "impression_id",
    ),
)

CATEGORICAL_MONITORS = (
    CategoricalMonitor("views_by_surface", VIEWS, "view_date", "surface_code"),
    CategoricalMonitor("views_by_device", VIEWS, "view_date", "device_os"),
    CategoricalMonitor("views_by_app_version", VIEWS, "view_date", "app_version"),
    CategoricalMonitor("views_by_region", VIEWS, "view_date", "viewer_region_code"),
    CategoricalMonitor("views_by_category", VIEWS, "view_date", "category_code"),
    CategoricalMonitor("views_by_creator_type", VIEWS, "view_date", "creator_type"),
    CategoricalMonitor("impressions_by_surface", IMPRESSIONS, "impression_date", "surface_code"),
    CategoricalMonitor(
        "impressions_by_model_version", IMPRESSIONS, "impression_date", "model_version"
    ),
    CategoricalMonitor("posts_by_category", "marts.dim_content", "published_date", "category_code"),
    CategoricalMonitor("posts_by_tool", "marts.dim_content", "published_date", "tool_code"),
)


def last_event_date(con: duckdb.DuckDBPyConnection) -> date:
    """The last day of the event logs (intermediate.int_event_windows_measured)."""
    row = con.execute(
        "select last_event_date from intermediate.int_event_windows_measured"
    ).fetchone()
    if row is None or row[0] is None:
        raise ValueError("intermediate.int_event_windows_measured has no last_event_date")
    return row[0]


def run_shift_monitors(
    con: duckdb.DuckDBPyConnection,
    periods: Periods,
    sample_cap: int = DEFAULT_SAMPLE_CAP,
    numeric_monitors: tuple[NumericMonitor, ...] = NUMERIC_MONITORS,
    categorical_monitors: tuple[CategoricalMonitor, ...] = CATEGORICAL_MONITORS,
) -> list[CheckResult]:
    """One result per monitor, with p-value and PSI; status "pass" and no q-value until
    `adjust_for_multiple_testing` has adjusted the run's p-values together."""
    results = []
    for numeric in numeric_monitors:
        baseline = _numeric_sample(
            con, numeric, periods.baseline_start, periods.baseline_end, sample_cap
        )
        current = _numeric_sample(
            con, numeric, periods.current_start, periods.current_end, sample_cap
        )
        subject = f"{numeric.relation}.{numeric.value_sql}"
        results.append(
            _compared(numeric.name, subject, periods, baseline, current, compare_numeric)
        )
    for categorical in categorical_monitors:
        baseline = _category_counts(con, categorical, periods.baseline_start, periods.baseline_end)
        current = _category_counts(con, categorical, periods.current_start, periods.current_end)
        subject = f"{categorical.relation}.{categorical.category_sql}"
        results.append(
            _compared(categorical.name, subject, periods, baseline, current, compare_categorical)
        )
    return results


def _numeric_sample(
    con: duckdb.DuckDBPyConnection, monitor: NumericMonitor, start: date, end: date, cap: int
) -> np.ndarray:
    # Ordering by a hash of the row's key is a pseudo-random sample that is the same on
    # every run and needs no seed; the key breaks the (rare) hash ties.
    sql = f"""
        select cast({monitor.value_sql} as double) as value
        from {monitor.relation}
        where {monitor.day_column} between ? and ? and {monitor.value_sql} is not null
        order by hash({monitor.sample_key}), {monitor.sample_key}
        limit ?
    """
    return con.execute(sql, [start, end, cap]).fetchnumpy()["value"]


def _category_counts(
    con: duckdb.DuckDBPyConnection, monitor: CategoricalMonitor, start: date, end: date
) -> pd.Series:
    sql = f"""
        select coalesce(cast({monitor.category_sql} as varchar), '(null)') as category,
            count(*) as row_count
        from {monitor.relation}
        where {monitor.day_column} between ? and ?
        group by 1
    """
    frame = con.execute(sql, [start, end]).df()
    return frame.set_index("category")["row_count"]


def _compared(
    name: str,
    subject: str,
    periods: Periods,
    baseline: np.ndarray | pd.Series,
    current: np.ndarray | pd.Series,
    compare: Callable[..., ShiftStatistics],
) -> CheckResult:
    check_name = f"distribution_shift.{name}"
    if len(baseline) == 0 or len(current) == 0:
        return CheckResult(
            check_name,
            "distribution_shift",
            subject,
            "pass",
            False,
            f"not compared: no rows in {'baseline' if len(baseline) == 0 else 'current'} "
            f"period ({periods.describe()})",
        )
    shift = compare(baseline, current)
    return CheckResult(
        check_name=check_name,
        category="distribution_shift",
        subject=subject,
        status="pass",
        blocking=False,
        detail=_describe(shift, periods),
        statistic=shift.statistic,
        p_value=shift.p_value,
        effect_size=shift.psi,
        threshold=PSI_WARN,
    )


def _describe(shift: ShiftStatistics, periods: Periods) -> str:
    return (
        f"{shift.test} {periods.describe()}: n={shift.n_current} vs {shift.n_baseline}, "
        f"PSI={shift.psi:.4f}; largest move {shift.largest_move}: "
        f"{shift.baseline_share:.1%} -> {shift.current_share:.1%}"
    )
