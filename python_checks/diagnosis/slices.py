"""A metric's change over the slices of each of its dimensions (metric_daily's
one-dimension rows): each slice's change for additive metrics, mix vs rate for ratios."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from python_checks.diagnosis.baseline_period import average_day
from python_checks.diagnosis.decomposition import dimension_contributions, mix_rate_decomposition


@dataclass(frozen=True)
class SliceBreakdown:
    """A metric's change over the slices of one dimension.

    `kind` is "additive" (slices contribute their change) or "ratio" (mix and rate effects);
    `slices` holds the top slices by absolute contribution (dimension_value, baseline,
    comparison, contribution, and mix_effect / rate_effect for ratios); `adds_up` says whether
    all slices' contributions sum to the metric's change (false for counts of distinct
    entities that can fall in several slices).
    """

    dimension: str
    kind: str
    slices: pd.DataFrame
    adds_up: bool
    mix_effect: float | None = None
    rate_effect: float | None = None


def slice_breakdown(
    rows: pd.DataFrame,
    dimension: str,
    baseline_dates: Sequence[dt.date],
    day: dt.date,
    metric_change: float,
    top_n: int,
) -> SliceBreakdown:
    """One dimension's slices (metric_daily rows of one metric and dimension): mix vs rate
    for a ratio metric, slice changes otherwise; the top `top_n` by absolute contribution."""
    before = average_day(rows, baseline_dates, ["dimension_value"], complete=False)
    after = average_day(rows, [day], ["dimension_value"], complete=False)
    frame = before.add_suffix("_0").join(after.add_suffix("_1"), how="outer").reset_index()
    is_ratio = frame["denominator_0"].notna().any() or frame["denominator_1"].notna().any()
    frame = frame.fillna(0.0)
    if is_ratio:
        result = mix_rate_decomposition(
            frame,
            ["dimension_value"],
            "numerator_0",
            "denominator_0",
            "numerator_1",
            "denominator_1",
        )
        table = result.slices.rename(
            columns={
                "baseline_rate": "baseline",
                "comparison_rate": "comparison",
                "total_effect": "contribution",
            }
        )
        total, mix, rate = result.total_change, result.mix_effect, result.rate_effect
    else:
        result = dimension_contributions(frame, ["dimension_value"], "value_0", "value_1")
        table = result.slices.rename(columns={"change": "contribution"})
        total, mix, rate = result.total_change, None, None
    adds_up = math.isclose(total, metric_change, rel_tol=1e-6, abs_tol=1e-9)
    order = table["contribution"].abs().sort_values(ascending=False, kind="stable").index
    top = table.loc[order].head(top_n).reset_index(drop=True)
    return SliceBreakdown(dimension, "ratio" if is_ratio else "additive", top, adds_up, mix, rate)
