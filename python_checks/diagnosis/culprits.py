"""Culprit slices of a metric's change: multi-dimensional localization over its leaf table
(every combination of its allowed dimensions), the day against the baseline's average day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from python_checks.diagnosis.leaf_columns import leaf_value_column
from python_checks.diagnosis.localization import (
    LeafColumns,
    LocalizationOptions,
    LocalizationResult,
    localize,
)


@dataclass(frozen=True)
class Culprits:
    """Localization over the leaves, or why it was not run."""

    dimensions: tuple[str, ...]
    result: LocalizationResult | None
    note: str | None = None


def leaf_table(
    leaves: pd.DataFrame,
    dimensions: Sequence[str],
    baseline_dates: Sequence[dt.date],
    day: dt.date,
) -> pd.DataFrame:
    """Per leaf of `leaves` (one row per leaf, its measures per day in the columns named by
    `leaf_value_column`): actual numerator (and denominator) on `day`, expected = the
    baseline's average day (a leaf absent on a day counts as zero)."""
    measures = [m for m in ("numerator", "denominator") if leaf_value_column(m, day) in leaves]
    table = leaves[list(dimensions)].copy()
    for measure in measures:
        values = leaves[[leaf_value_column(measure, d) for d in sorted(baseline_dates)]]
        table[f"actual_{measure}"] = leaves[leaf_value_column(measure, day)].fillna(0.0)
        table[f"expected_{measure}"] = values.fillna(0.0).sum(axis=1).to_numpy() / len(
            baseline_dates
        )
    return table.astype({column: float for column in table.columns[len(dimensions) :]})


def find_culprits(
    leaves: pd.DataFrame, dimensions: Sequence[str], top_n: int, baseline_periods: int = 1
) -> LocalizationResult:
    """Localize the change over the leaf table built by `leaf_table`, whose expected values
    are the mean of `baseline_periods` days."""
    has_denominator = "actual_denominator" in leaves.columns
    columns = LeafColumns(
        actual="actual_numerator",
        expected="expected_numerator",
        actual_denominator="actual_denominator" if has_denominator else None,
        expected_denominator="expected_denominator" if has_denominator else None,
    )
    options = LocalizationOptions(top_k=top_n, baseline_periods=baseline_periods)
    return localize(leaves, list(dimensions), columns, options)
