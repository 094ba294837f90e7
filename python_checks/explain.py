"""Why did a metric move between a baseline and a day? Driver tree, slices and culprits.

`explain_metric` reads what it needs through `metric_data` and hands it to pure functions:

- `build_driver_tree`: walks `metric_tree` down from the metric and, at each node, splits the
  change along every identity that holds exactly in the data (product of factors, ratio of
  numerator and denominator, sum of parts plus an explicit "other");
- `slice_breakdowns`: the metric's one-dimension slices from `metric_daily`: slice changes for
  additive metrics, mix vs rate for ratios;
- `find_culprits`: multi-dimensional localization over leaves (every combination of the
  metric's allowed dimensions).

The baseline of a period of several days is the average day: additive and count metrics are
averaged, ratios are the ratio of the averaged numerator and denominator. That keeps every
identity of the tree exact for the baseline too (for watch_hours = viewers x views/viewer x
hours/view, the averaged factors still multiply to the averaged watch hours).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from python_checks import metric_data
from python_checks.decomposition import (
    dimension_contributions,
    lmdi,
    mix_rate_decomposition,
    shapley_product,
    sum_attribution,
)
from python_checks.localization import LocalizationResult, localize

MAX_DEPTH = 3
# Relative tolerance for "this identity holds in the data": the tables are computed in doubles
# from exact integer or decimal sums, so true identities agree to ~1e-15.
IDENTITY_TOLERANCE = 1e-9
OTHER = "other"


class ExplainError(ValueError):
    """Bad input from the user (unknown metric, day outside the data): exit code 2."""


@dataclass(frozen=True)
class Baseline:
    """The days the comparison day is measured against, and how to say so."""

    label: str
    dates: tuple[dt.date, ...]


@dataclass(frozen=True)
class Contribution:
    """One driver's share of a node's change, in the node metric's units."""

    driver: str
    metric: str | None  # the metric behind the driver; None for "other"
    baseline: float
    comparison: float
    contribution: float


@dataclass(frozen=True)
class Identity:
    """One exact identity at a node (product, ratio or sum) and its attribution."""

    kind: str
    formula: str
    method: str
    contributions: tuple[Contribution, ...]

    @property
    def total(self) -> float:
        """The sum of contributions: the node's change up to float rounding."""
        return math.fsum(c.contribution for c in self.contributions)


@dataclass(frozen=True)
class DriverNode:
    """A metric in the driver tree: its values, identities, sub-drivers and skipped links."""

    metric: str
    depth: int
    baseline: float
    comparison: float
    identities: tuple[Identity, ...]
    children: tuple[DriverNode, ...]
    notes: tuple[str, ...]

    @property
    def change(self) -> float:
        return self.comparison - self.baseline


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


@dataclass(frozen=True)
class Culprits:
    """Localization over the leaves, or why it was not run."""

    dimensions: tuple[str, ...]
    result: LocalizationResult | None
    note: str | None = None


@dataclass(frozen=True)
class Explanation:
    """Everything `pgc explain` prints."""

    metric: str
    label: str
    value_formats: Mapping[str, str]  # every catalogue metric's display format
    day: dt.date
    baseline: Baseline
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


# ------------------------------------------------------------------------ baselines


def choose_baseline(
    day: dt.date,
    baseline_day: dt.date | None = None,
    baseline_days: int | None = None,
    weeks_back: int | None = None,
) -> Baseline:
    """One of: a given day, the mean of the N days before `day`, or the same weekday K weeks
    before (K = 1 when nothing is given)."""
    if sum(option is not None for option in (baseline_day, baseline_days, weeks_back)) > 1:
        raise ExplainError("give at most one of --baseline, --baseline-days, --weeks-back")
    if baseline_day is not None:
        if baseline_day == day:
            raise ExplainError(f"the baseline day {baseline_day} is the day being explained")
        return Baseline(f"{baseline_day}", (baseline_day,))
    if baseline_days is not None:
        if baseline_days < 1:
            raise ExplainError(f"--baseline-days must be at least 1, got {baseline_days}")
        dates = tuple(day - dt.timedelta(days=k) for k in range(baseline_days, 0, -1))
        return Baseline(f"mean of {dates[0]}..{dates[-1]} ({baseline_days} days)", dates)
    weeks = 1 if weeks_back is None else weeks_back
    if weeks < 1:
        raise ExplainError(f"--weeks-back must be at least 1, got {weeks}")
    previous = day - dt.timedelta(weeks=weeks)
    return Baseline(f"{previous} (same weekday, {weeks} week(s) before)", (previous,))


def average_day(
    rows: pd.DataFrame, dates: Sequence[dt.date], keys: Sequence[str], complete: bool
) -> pd.DataFrame:
    """The average day over `dates` per group of `keys`: value, numerator, denominator.

    Ratios (rows with a denominator) are the ratio of the averaged numerator and denominator.
    With `complete`, a group missing a value on any of the days gets NaN (a total series with
    a gap); otherwise a missing day counts as zero (a slice with no activity that day).
    """
    selected = rows[rows["metric_date"].isin(set(dates))]
    grouped = selected.groupby(list(keys), dropna=False)
    sums = grouped[["value", "numerator", "denominator"]].sum(min_count=1)
    mean = sums / len(dates)
    has_ratio = mean["denominator"].notna()
    mean.loc[has_ratio, "value"] = mean["numerator"] / mean["denominator"]
    if complete:
        days_with_value = grouped["value"].count()
        mean.loc[days_with_value < len(dates)] = np.nan
    return mean


@dataclass(frozen=True)
class _Values:
    value: float
    numerator: float
    denominator: float


def _values_by_metric(totals: pd.DataFrame, dates: Sequence[dt.date]) -> dict[str, _Values]:
    mean = average_day(totals, dates, ["metric_name"], complete=True)
    return {
        name: _Values(float(row.value), float(row.numerator), float(row.denominator))
        for name, row in mean.iterrows()
    }


# --------------------------------------------------------------------- driver tree


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=IDENTITY_TOLERANCE, abs_tol=1e-12)


def _attribute(baseline: Mapping[str, float], comparison: Mapping[str, float]) -> tuple:
    """LMDI when every driver is positive in both periods, exact Shapley otherwise."""
    if all(v > 0 for v in (*baseline.values(), *comparison.values())):
        return "lmdi", lmdi(baseline, comparison)
    return "shapley", shapley_product(baseline, comparison)


@dataclass(frozen=True)
class _TreeContext:
    children: Mapping[str, tuple[tuple[str, str], ...]]  # parent -> ((child, relation), ...)
    ratios: Mapping[str, tuple[str, str]]  # ratio metric -> (numerator, denominator)
    before: Mapping[str, _Values]
    after: Mapping[str, _Values]
    units: Mapping[str, str]

    def pair(self, metric: str) -> tuple[float, float]:
        missing = _Values(math.nan, math.nan, math.nan)
        return self.before.get(metric, missing).value, self.after.get(metric, missing).value


def _product_identity(metric: str, context: _TreeContext) -> tuple[Identity | None, str | None]:
    factors = [c for c, relation in context.children.get(metric, ()) if relation == "product"]
    if not factors:
        return None, None
    v0, v1 = context.pair(metric)
    before = {f: context.pair(f)[0] for f in factors}
    after = {f: context.pair(f)[1] for f in factors}
    if not all(math.isfinite(v) for v in (*before.values(), *after.values())):
        return None, f"product: a factor of {metric} has no value in one period"
    if not (_close(math.prod(before.values()), v0) and _close(math.prod(after.values()), v1)):
        return None, f"product: the factors do not multiply back to {metric}; not decomposed"
    method, attribution = _attribute(before, after)
    contributions = tuple(
        Contribution(f, f, before[f], after[f], attribution.contributions[f]) for f in factors
    )
    formula = f"{metric} = " + " x ".join(factors)
    return Identity("product", formula, method, contributions), None


def _ratio_identity(metric: str, context: _TreeContext) -> tuple[Identity | None, str | None]:
    if metric not in context.ratios:
        return None, None
    numerator, denominator = context.ratios[metric]
    before, after = context.before.get(metric), context.after.get(metric)
    if before is None or after is None:
        return None, f"ratio: {metric} has no value in one period"
    numerators, denominators = (
        (before.numerator, after.numerator),
        (
            before.denominator,
            after.denominator,
        ),
    )
    if not all(math.isfinite(v) for v in (*numerators, *denominators)) or 0 in denominators:
        return None, f"ratio: {metric}'s numerator or denominator is missing or zero"
    inverse = f"/ {denominator}"  # the driver is 1 / denominator; shown with its values
    drivers0 = {numerator: before.numerator, inverse: 1 / before.denominator}
    drivers1 = {numerator: after.numerator, inverse: 1 / after.denominator}
    method, attribution = _attribute(drivers0, drivers1)
    contributions = (
        Contribution(
            numerator,
            numerator,
            before.numerator,
            after.numerator,
            attribution.contributions[numerator],
        ),
        Contribution(
            inverse,
            denominator,
            before.denominator,
            after.denominator,
            attribution.contributions[inverse],
        ),
    )
    formula = f"{metric} = {numerator} / {denominator}"
    return Identity("ratio", formula, method, contributions), None


def _sum_identity(metric: str, context: _TreeContext) -> tuple[Identity | None, list[str]]:
    linked = [c for c, relation in context.children.get(metric, ()) if relation == "sum"]
    if not linked:
        return None, []
    v0, v1 = context.pair(metric)
    notes, parts = [], []
    for child in linked:
        c0, c1 = context.pair(child)
        if context.units.get(child) != context.units.get(metric):
            # e.g. qualified_kviews (thousands) under pgc_views: a part, but in other units.
            notes.append(
                f"sum: {child} is in {context.units.get(child)}, not in {context.units.get(metric)}"
            )
        elif not (math.isfinite(c0) and math.isfinite(c1)):
            notes.append(f"sum: {child} has no value in one period")
        elif c0 > v0 * (1 + IDENTITY_TOLERANCE) or c1 > v1 * (1 + IDENTITY_TOLERANCE):
            # metrics.md: a `sum` link means the child is a part of the parent *or the parent
            # a part of the child*; a child larger than the parent is the second kind.
            notes.append(f"sum: {child} is larger than {metric} (it contains it), not a part")
        else:
            parts.append(child)
    if not parts:
        return None, notes
    before = {p: context.pair(p)[0] for p in parts}
    after = {p: context.pair(p)[1] for p in parts}
    other0, other1 = v0 - math.fsum(before.values()), v1 - math.fsum(after.values())
    if other0 < -abs(v0) * IDENTITY_TOLERANCE or other1 < -abs(v1) * IDENTITY_TOLERANCE:
        notes.append(f"sum: the parts {parts} add up to more than {metric} (they overlap)")
        return None, notes
    attribution = sum_attribution({**before, OTHER: other0}, {**after, OTHER: other1})
    contributions = (
        *(Contribution(p, p, before[p], after[p], attribution.contributions[p]) for p in parts),
        Contribution(OTHER, None, other0, other1, attribution.contributions[OTHER]),
    )
    formula = f"{metric} = " + " + ".join([*parts, OTHER])
    return Identity("sum", formula, "sum", contributions), notes


def _node(metric: str, depth: int, path: frozenset[str], context: _TreeContext) -> DriverNode:
    identities, notes = [], []
    for builder in (_product_identity, _ratio_identity):
        identity, note = builder(metric, context)
        identities += [identity] if identity else []
        notes += [note] if note else []
    identity, sum_notes = _sum_identity(metric, context)
    identities += [identity] if identity else []
    notes += sum_notes
    tree_children = {c for c, _ in context.children.get(metric, ())}
    expandable = []
    for identity in identities:
        for item in identity.contributions:
            child = item.metric
            if child is None or child not in tree_children or child in path:
                continue
            # A ratio's numerator is expanded only if it is that metric's value exactly.
            child_values = context.pair(child)
            if _close(child_values[0], item.baseline) and _close(child_values[1], item.comparison):
                expandable.append(child)
    children = ()
    if depth < MAX_DEPTH:
        children = tuple(
            _node(child, depth + 1, path | {child}, context) for child in dict.fromkeys(expandable)
        )
    v0, v1 = context.pair(metric)
    return DriverNode(metric, depth, v0, v1, tuple(identities), children, tuple(notes))


def build_driver_tree(
    metric: str,
    tree: pd.DataFrame,
    catalogue: pd.DataFrame,
    totals: pd.DataFrame,
    baseline_dates: Sequence[dt.date],
    day: dt.date,
) -> DriverNode:
    """The driver tree of `metric` from `metric_tree` links, down to MAX_DEPTH levels.

    `totals` are metric_daily total rows (metric_date, metric_name, value, numerator,
    denominator) covering the day and the baseline days; the catalogue gives each ratio's
    numerator and denominator and each metric's unit (parts of a sum share their parent's
    unit). Every identity's contributions sum to the node's change.
    """
    children: dict[str, list[tuple[str, str]]] = {}
    for row in tree.dropna(subset=["parent_metric"]).itertuples():
        children.setdefault(row.parent_metric, []).append((row.metric_name, row.relation))
    context = _TreeContext(
        {parent: tuple(links) for parent, links in children.items()},
        metric_data.ratio_inputs(catalogue),
        _values_by_metric(totals, baseline_dates),
        _values_by_metric(totals, [day]),
        dict(zip(catalogue["metric_name"], catalogue["unit"], strict=True)),
    )
    return _node(metric, 0, frozenset({metric}), context)


# -------------------------------------------------------------------------- slices


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


# ------------------------------------------------------------------------ culprits


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
    leaves: pd.DataFrame, dimensions: Sequence[str], top_n: int
) -> LocalizationResult:
    """Localize the change over the leaf table built by `leaf_table`."""
    has_denominator = "actual_denominator" in leaves.columns
    return localize(
        leaves,
        list(dimensions),
        actual="actual_numerator",
        expected="expected_numerator",
        actual_denominator="actual_denominator" if has_denominator else None,
        expected_denominator="expected_denominator" if has_denominator else None,
        top_k=top_n,
    )


# ---------------------------------------------------------------------- the whole


def check_metric(catalogue: pd.DataFrame, metric: str) -> None:
    """ExplainError naming close metric names when `metric` is not in the catalogue."""
    if metric in catalogue.index:
        return
    close = difflib.get_close_matches(metric, list(catalogue.index), n=5, cutoff=0.5)
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    raise ExplainError(f"unknown metric {metric!r} (not in metrics.metric_catalogue){hint}")


def check_dates(dates: Sequence[dt.date], first: dt.date, last: dt.date, metric: str) -> None:
    """ExplainError naming the data's range when a day falls outside it."""
    outside = sorted(d for d in dates if not first <= d <= last)
    if outside:
        raise ExplainError(
            f"{', '.join(map(str, outside))} outside the data: metrics.metric_daily has "
            f"{metric} from {first} to {last}"
        )


def explain_frames(
    metric: str,
    day: dt.date,
    baseline: Baseline,
    catalogue: pd.DataFrame,
    tree: pd.DataFrame,
    totals: pd.DataFrame,
    slices: pd.DataFrame,
    culprits: Culprits,
    top_n: int = 5,
) -> Explanation:
    """Assemble the explanation from already-loaded frames (no I/O)."""
    entry = catalogue.loc[metric]
    drivers = build_driver_tree(metric, tree, catalogue, totals, baseline.dates, day)
    breakdowns = tuple(
        slice_breakdown(
            slices[(slices["metric_name"] == metric) & (slices["dimension_name"] == dimension)],
            dimension,
            baseline.dates,
            day,
            drivers.change,
            top_n,
        )
        for dimension in entry["allowed_dimensions"]
        if ((slices["metric_name"] == metric) & (slices["dimension_name"] == dimension)).any()
    )
    return Explanation(
        metric,
        str(entry["metric_label"]),
        dict(zip(catalogue["metric_name"], catalogue["value_format"], strict=True)),
        day,
        baseline,
        drivers.comparison,
        drivers.baseline,
        drivers,
        breakdowns,
        culprits,
    )


def _culprits(
    con: duckdb.DuckDBPyConnection,
    manifest: dict | None,
    metric: str,
    dimensions: Sequence[str],
    baseline: Baseline,
    day: dt.date,
    top_n: int,
) -> Culprits:
    if not dimensions:
        return Culprits((), None, f"{metric} has no allowed dimensions")
    if manifest is None:
        return Culprits(tuple(dimensions), None, "no semantic manifest: run `dbt parse`")
    try:
        query = metric_data.leaf_query(manifest, metric, dimensions)
    except ValueError as error:
        return Culprits(tuple(dimensions), None, f"no leaf SQL: {error}")
    rows = metric_data.leaf_rows(con, query, [day, *baseline.dates])
    leaves = leaf_table(rows, dimensions, baseline.dates, day)
    if leaves.empty:
        return Culprits(tuple(dimensions), None, "no leaf rows on these days")
    return Culprits(tuple(dimensions), find_culprits(leaves, dimensions, top_n))


def explain_metric(
    con: duckdb.DuckDBPyConnection,
    metric: str,
    day: dt.date,
    baseline: Baseline,
    top_n: int = 5,
    manifest: dict | None = None,
) -> Explanation:
    """Load what `metric` needs from the warehouse and explain its change on `day`."""
    catalogue = metric_data.load_catalogue(con)
    check_metric(catalogue, metric)
    first, last = metric_data.date_range(con, metric)
    check_dates([day, *baseline.dates], first, last, metric)
    dates = [day, *baseline.dates]
    totals = metric_data.daily_rows(con, None, dates)
    dimensions = catalogue.loc[metric, "allowed_dimensions"]
    slices = metric_data.daily_rows(con, [metric], dates, dimensions)
    culprits = _culprits(con, manifest, metric, dimensions, baseline, day, top_n)
    tree = metric_data.load_tree(con)
    return explain_frames(metric, day, baseline, catalogue, tree, totals, slices, culprits, top_n)
