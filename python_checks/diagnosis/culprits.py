"""Culprit slices of a metric's change: multi-dimensional localization over its leaf table
(every combination of its allowed dimensions), the day against the baseline's average day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

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
    """Per leaf: actual numerator (and denominator) on `day`, expected = the baseline's
    average day (a leaf absent on a day counts as zero)."""
    columns = [c for c in ("numerator", "denominator") if c in leaves.columns]
    keys = list(dimensions)
    on_day = leaves[leaves["metric_date"] == day].groupby(keys)[columns].sum()
    in_baseline = leaves[leaves["metric_date"].isin(set(baseline_dates))]
    expected = in_baseline.groupby(keys)[columns].sum() / len(baseline_dates)
    table = on_day.add_prefix("actual_").join(expected.add_prefix("expected_"), how="outer")
    return table.fillna(0.0).astype(float).reset_index()


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
