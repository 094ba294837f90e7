"""Reconciliation between layers: every raw row is accounted for in staging, and the same
daily total read from two layers (staging, intermediate, marts, metric_daily) ties.

Blocking: a check fails when the numbers do not tie. The warehouse layer reads the counts
(`python_checks.warehouse.reconciliation_reads`, where the table of ties is defined); this
module only compares them.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from python_checks.monitoring.check_results import CheckResult

# Doubles (watch time, payouts) are summed in a different order in each layer, so
# totals may differ in the last bits; anything beyond that is a real difference.
ABSOLUTE_TOLERANCE = 1e-6
RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class RawAccounting:
    """Where one raw table's rows went."""

    table: str
    staged_model: str
    raw_rows: int
    duplicate_rows: int
    staged_rows: int
    quarantined_rows: int
    raw_source: str  # where raw_rows was counted: the Parquet files or the audit model

    @property
    def unaccounted_rows(self) -> int:
        return self.raw_rows - self.staged_rows - self.quarantined_rows - self.duplicate_rows


@dataclass(frozen=True)
class TieReading:
    """Two daily totals of the same measure that must be equal on every day, as read:
    `values` has columns day, left_value, right_value (a day missing on one side is 0)."""

    layers: str
    measure: str
    left_name: str
    right_name: str
    values: pd.DataFrame


def raw_to_staging_result(accounting: RawAccounting) -> CheckResult:
    """Pass when raw rows = staged + quarantined + exact duplicates."""
    equation = (
        f"{accounting.raw_rows} raw rows ({accounting.raw_source}) vs "
        f"{accounting.staged_rows} staged (staging.{accounting.staged_model}) + "
        f"{accounting.quarantined_rows} quarantined + {accounting.duplicate_rows} duplicates"
    )
    tied = accounting.unaccounted_rows == 0
    detail = equation if tied else f"{accounting.unaccounted_rows:+d} rows unaccounted: {equation}"
    return CheckResult(
        check_name="reconciliation.raw_to_staging",
        category="reconciliation",
        subject=accounting.table,
        status="pass" if tied else "fail",
        blocking=True,
        detail=detail,
        statistic=float(accounting.unaccounted_rows),
        threshold=0.0,
    )


def tie_result(tie: TieReading) -> CheckResult:
    """Pass when the two totals agree on every day within the float tolerance; the detail
    names the number of differing days and the day with the largest difference."""
    values = tie.values
    left = values["left_value"].to_numpy(dtype=float)
    right = values["right_value"].to_numpy(dtype=float)
    difference = right - left
    scale = np.maximum(np.abs(left), np.abs(right))
    differs = np.abs(difference) > ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * scale
    subject = f"{tie.measure}: {tie.left_name} = {tie.right_name}"
    if not differs.any():
        detail = f"{len(values)} days tie, total {_number(left.sum())}"
    else:
        worst = int(np.argmax(np.where(differs, np.abs(difference), -1)))
        detail = (
            f"{int(differs.sum())} of {len(values)} days differ; largest on "
            f"{values['day'].iloc[worst]:%Y-%m-%d}: {tie.right_name} = {_number(right[worst])} "
            f"vs {tie.left_name} = {_number(left[worst])} ({_number(difference[worst], '+')})"
        )
    return CheckResult(
        check_name=f"reconciliation.{tie.layers}",
        category="reconciliation",
        subject=subject,
        status="fail" if differs.any() else "pass",
        blocking=True,
        detail=detail,
        statistic=float(np.abs(difference).max()) if len(values) else 0.0,
        threshold=ABSOLUTE_TOLERANCE,
    )


def _number(value: float, sign: str = "") -> str:
    """Whole numbers in full with thousands separators, others to 6 significant digits."""
    return f"{value:{sign},.0f}" if float(value).is_integer() else f"{value:{sign},.6g}"


def reconciliation_results(
    accounting: list[RawAccounting], ties: list[TieReading]
) -> list[CheckResult]:
    """Raw-to-staging accounting per raw table, then every tie."""
    return [*map(raw_to_staging_result, accounting), *map(tie_result, ties)]
