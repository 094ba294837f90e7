"""The driver tree of a metric's change: from `metrics.metric_tree`, down MAX_DEPTH levels,
each node's change split along every identity that holds exactly in the data.

- product: the node has `product` children and they multiply back to it in both periods;
  attributed by LMDI-I, or exact Shapley when a factor is <= 0;
- ratio: the node is a ratio metric (the catalogue's numerator_metric / denominator_metric);
  LMDI over numerator x 1 / denominator;
- sum: `sum` children that are parts (same unit, no larger than the parent, together no
  more); each part's change plus an explicit `other`.

Every identity's contributions add up to the node's change (`Identity.total`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from python_checks.diagnosis.baseline_period import average_day
from python_checks.diagnosis.decomposition import lmdi, shapley_product, sum_attribution

MAX_DEPTH = 3
# Relative tolerance for "this identity holds in the data": the tables are computed in doubles
# from exact integer or decimal sums, so true identities agree to ~1e-15.
IDENTITY_TOLERANCE = 1e-9
OTHER = "other"


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


def ratio_inputs(catalogue: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """{ratio metric: (numerator metric, denominator metric)} from the catalogue."""
    ratios = catalogue.dropna(subset=["numerator_metric", "denominator_metric"])
    return {
        row.metric_name: (row.numerator_metric, row.denominator_metric)
        for row in ratios.itertuples()
    }


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
        ratio_inputs(catalogue),
        _values_by_metric(totals, baseline_dates),
        _values_by_metric(totals, [day]),
        dict(zip(catalogue["metric_name"], catalogue["unit"], strict=True)),
    )
    return _node(metric, 0, frozenset({metric}), context)
