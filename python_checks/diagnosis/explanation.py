"""Why did a metric move between a baseline and a day? The driver tree, the slices and the
culprits, assembled from what the warehouse layer read (`ExplainInputs`), without I/O.

- `driver_tree.build_driver_tree`: the change split along every exact identity of the tree;
- `slices.slice_breakdown`: the metric's one-dimension slices from metric_daily;
- `culprits.find_culprits`: localization over the metric's leaf table.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from python_checks.diagnosis.baseline_period import BaselinePeriod
from python_checks.diagnosis.culprits import Culprits, find_culprits, leaf_table
from python_checks.diagnosis.driver_tree import DriverNode, build_driver_tree
from python_checks.diagnosis.slices import SliceBreakdown, slice_breakdown


class ExplainError(ValueError):
    """Bad input from the user (unknown metric, day outside the data): exit code 2."""


@dataclass(frozen=True)
class ExplainInputs:
    """What `pgc explain` reads for one metric, day and baseline.

    catalogue and tree: metrics.metric_catalogue (indexed by metric_name) and
    metrics.metric_tree; date_range: the metric's first and last day with a total (None when
    it has none); totals: metric_daily total rows of every metric on the day and the
    baseline days; slices: the metric's rows on its allowed dimensions on those days; leaves:
    its leaf rows on those days (None when not read), or `leaf_note` saying why not.
    """

    catalogue: pd.DataFrame
    tree: pd.DataFrame
    date_range: tuple[dt.date, dt.date] | None
    totals: pd.DataFrame
    slices: pd.DataFrame
    leaves: pd.DataFrame | None
    leaf_note: str | None = None


@dataclass(frozen=True)
class Explanation:
    """Everything `pgc explain` prints."""

    metric: str
    label: str
    direction: str
    value_formats: Mapping[str, str]  # every catalogue metric's display format
    day: dt.date
    baseline: BaselinePeriod
    value: float
    baseline_value: float
    drivers: DriverNode
    slices: tuple[SliceBreakdown, ...]
    culprits: Culprits

    @property
    def change(self) -> float:
        return self.value - self.baseline_value

    @property
    def relative_change(self) -> float:
        return self.change / self.baseline_value if self.baseline_value else math.nan

    @property
    def is_good(self) -> bool | None:
        """Whether the change goes the catalogue's good way (None for no change)."""
        return is_good_change(self.change, self.direction)


def is_good_change(change: float, direction: str) -> bool | None:
    """Whether a change goes a metric's good way (its catalogue `direction`); None when
    there is no change or it is not a number."""
    if change == 0 or not math.isfinite(change):
        return None
    return (change > 0) == (direction == "higher_is_better")


def check_metric(catalogue: pd.DataFrame, metric: str) -> None:
    """ExplainError naming close metric names when `metric` is not in the catalogue."""
    if metric in catalogue.index:
        return
    close = difflib.get_close_matches(metric, list(catalogue.index), n=5, cutoff=0.5)
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    raise ExplainError(f"unknown metric {metric!r} (not in metrics.metric_catalogue){hint}")


def check_dates(
    dates: Sequence[dt.date], date_range: tuple[dt.date, dt.date] | None, metric: str
) -> None:
    """ExplainError naming the data's range when a day falls outside it."""
    if date_range is None:
        raise ExplainError(f"metrics.metric_daily has no total rows for {metric}")
    first, last = date_range
    outside = sorted(d for d in dates if not first <= d <= last)
    if outside:
        raise ExplainError(
            f"{', '.join(map(str, outside))} outside the data: metrics.metric_daily has "
            f"{metric} from {first} to {last}"
        )


def culprits_from_leaves(
    metric: str,
    leaves: pd.DataFrame | None,
    leaf_note: str | None,
    dimensions: Sequence[str],
    baseline: BaselinePeriod,
    day: dt.date,
    top_n: int,
) -> Culprits:
    """Localization over the leaf rows, or the reason it was not run."""
    if not dimensions:
        return Culprits((), None, f"{metric} has no allowed dimensions")
    if leaves is None:
        return Culprits(tuple(dimensions), None, f"no leaf SQL: {leaf_note}")
    table = leaf_table(leaves, dimensions, baseline.dates, day)
    if table.empty:
        return Culprits(tuple(dimensions), None, "no leaf rows on these days")
    result = find_culprits(table, dimensions, top_n, len(baseline.dates))
    return Culprits(tuple(dimensions), result)


def explain(
    metric: str,
    day: dt.date,
    baseline: BaselinePeriod,
    inputs: ExplainInputs,
    top_n: int = 5,
) -> Explanation:
    """Check the request against the catalogue and the data's range, then explain the change
    of `metric` on `day` against `baseline`."""
    check_metric(inputs.catalogue, metric)
    check_dates([day, *baseline.dates], inputs.date_range, metric)
    entry = inputs.catalogue.loc[metric]
    dimensions = entry["allowed_dimensions"]
    culprits = culprits_from_leaves(
        metric, inputs.leaves, inputs.leaf_note, dimensions, baseline, day, top_n
    )
    return explain_frames(
        metric, day, baseline, inputs.catalogue, inputs.tree, inputs.totals, inputs.slices,
        culprits, top_n,
    )  # fmt: skip


def explain_frames(
    metric: str,
    day: dt.date,
    baseline: BaselinePeriod,
    catalogue: pd.DataFrame,
    tree: pd.DataFrame,
    totals: pd.DataFrame,
    slices: pd.DataFrame,
    culprits: Culprits,
    top_n: int = 5,
) -> Explanation:
    """Assemble the explanation of a metric known to be in the catalogue and in the data."""
    entry = catalogue.loc[metric]
    drivers = build_driver_tree(metric, tree, catalogue, totals, baseline.dates, day)
    own = slices[slices["metric_name"] == metric]
    breakdowns = []
    for dimension in entry["allowed_dimensions"]:
        rows = own[own["dimension_name"] == dimension]
        if rows.empty:
            continue
        try:
            breakdowns.append(
                slice_breakdown(rows, dimension, baseline.dates, day, drivers.change, top_n)
            )
        except ValueError:
            # A ratio with no denominator in one period (a conversion rate on a day without
            # base events) has no rate to split; the driver tree shows the missing value.
            continue
    return Explanation(
        metric,
        str(entry["metric_label"]),
        str(entry["direction"]),
        dict(zip(catalogue["metric_name"], catalogue["value_format"], strict=True)),
        day,
        baseline,
        drivers.comparison,
        drivers.baseline,
        drivers,
        tuple(breakdowns),
        culprits,
    )
