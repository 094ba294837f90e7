"""Reference methods localization is measured against, re-implemented from their papers.

Each takes leaves with `real` and `predict` values of the measure (see
`localization_sources.real_and_predict`) and returns root-cause slices:

- `riskloc`: RiskLoc (M. Kalander, "RiskLoc: Localization of Multi-dimensional Root Causes
  by Weighted Risk", 2022), with its published defaults.
- `adtributor`: Adtributor (R. Bhagwan et al., "Adtributor: Revenue Debugging in
  Advertising Systems", NSDI 2014), one dimension.
- `largest_excess_value`: the one dimension value with the largest excess in the incident's
  direction, the simplest rule an analyst would apply.

`localize_with_one_rate` is the project's first method for files of one period (one
expected failure rate for every leaf), kept to measure the main-effects model against.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from python_checks.diagnosis.leaf_columns import LeafColumns
from python_checks.diagnosis.localization import (
    LocalizationOptions,
    LocalizationResult,
    localize,
    surprise,
)
from python_checks.stats.robust import weighted_median

Slice = dict[str, object]

# Without a baseline only slices failing more than expected are causes.
ONE_RATE_OPTIONS = LocalizationOptions(direction="up")


def localize_with_one_rate(
    frame: pd.DataFrame,
    dimensions: Sequence[str],
    failed: str,
    total: str,
    iterations: int = 3,
) -> LocalizationResult:
    """Localization of format (c) with one expected rate for every leaf (the project's
    first method for files without a baseline, kept to measure the main-effects method
    against; docs/diagnosis.md).

    The expected failure rate is one rate for every leaf: what the leaves outside the root
    causes fail at. It starts at the volume-weighted median leaf rate (robust while the
    anomaly covers less than half of the sessions) and is re-estimated from the leaves
    outside the root causes found, until the root causes stop changing.
    """
    columns = LeafColumns(actual=failed, expected="_expected", actual_denominator=total)
    f = frame[failed].to_numpy(dtype=float)
    n = frame[total].to_numpy(dtype=float)
    rate = _median_rate(f, n)
    work = frame.copy()
    result, previous = None, None
    for _ in range(max(iterations, 1)):
        work["_expected"] = rate * n
        result = localize(work, dimensions, columns, ONE_RATE_OPTIONS)
        if result.root_causes == previous:
            break
        previous = result.root_causes
        outside = np.ones(len(work), dtype=bool)
        for cause in result.root_causes:
            inside = np.ones(len(work), dtype=bool)
            for dim, value in cause.items():
                inside &= (work[dim] == value).to_numpy()
            outside &= ~inside
        if n[outside].sum() <= 0:
            break
        rate = float(f[outside].sum() / n[outside].sum())
    assert result is not None
    return result


def _median_rate(failed: np.ndarray, total: np.ndarray) -> float:
    seen = total > 0
    return weighted_median(failed[seen] / total[seen], total[seen]) if seen.any() else 0.0


def adtributor(
    leaves: pd.DataFrame,
    dims: Sequence[str],
    min_element_ep: float = 0.1,
    min_total_ep: float = 0.67,
) -> list[Slice]:
    """Adtributor (Bhagwan et al. 2014) on one dimension at a time: per dimension, the values
    in decreasing surprise with explanatory power >= min_element_ep until they add up to
    min_total_ep; the answer is the dimension whose chosen values have the largest total
    surprise."""
    real = leaves["real"].to_numpy(dtype=float)
    predict = leaves["predict"].to_numpy(dtype=float)
    deviation = real.sum() - predict.sum()
    best: tuple[float, list[Slice]] = (-1.0, [])
    for dim in dims:
        grouped = pd.DataFrame({"v": real, "e": predict, "d": leaves[dim].to_numpy()})
        grouped = grouped.groupby("d", sort=False).sum()
        ep = (grouped["v"] - grouped["e"]) / deviation if deviation else grouped["v"] * 0
        s = surprise(
            (grouped["e"] / max(predict.sum(), 1e-300)).to_numpy(),
            (grouped["v"] / max(real.sum(), 1e-300)).to_numpy(),
        )
        chosen, explained, total_surprise = [], 0.0, 0.0
        for i in np.argsort(-s):
            if ep.iloc[i] < min_element_ep:
                continue
            chosen.append({dim: grouped.index[i]})
            explained += ep.iloc[i]
            total_surprise += s[i]
            if explained >= min_total_ep:
                break
        if explained >= min_total_ep and total_surprise > best[0]:
            best = (total_surprise, chosen)
    return best[1]


def largest_excess_value(leaves: pd.DataFrame, dims: Sequence[str]) -> list[Slice]:
    """The single dimension value whose real - predict is largest in the direction of the
    total deviation."""
    excess = leaves["real"].to_numpy(dtype=float) - leaves["predict"].to_numpy(dtype=float)
    sign = 1.0 if excess.sum() >= 0 else -1.0
    best: tuple[float, Slice] | None = None
    for dim in dims:
        grouped = pd.Series(sign * excess).groupby(leaves[dim].to_numpy(), sort=False).sum()
        value = grouped.idxmax()
        if best is None or grouped[value] > best[0]:
            best = (float(grouped[value]), {dim: value})
    return [best[1]] if best is not None else []


def riskloc(
    leaves: pd.DataFrame,
    dims: Sequence[str],
    risk_threshold: float = 0.5,
    ep_threshold: float = 0.02,
    extreme_leaves: int = 5,
) -> list[Slice]:
    """RiskLoc (Kalander 2022), re-implemented from the paper.

    1. Each leaf's deviation score `2 (f - v) / (f + v)`; a cutoff from the extremes of the
       distinct scores (the (n+1)-th smallest and largest, the one nearer zero, negated)
       splits the leaves into an abnormal and a normal partition.
    2. Weights: abnormal leaves their |score|, normal leaves their distance to the cutoff
       (zero when real and predict are both zero), at most 1.
    3. Explanatory power per leaf, `(v - f) / (V - F)` (for a derived measure a / b, the
       paper's formula from both parts, normalised to sum to one), its sign set so that the
       abnormal partition's sum is positive.
    4. Search layer by layer, cuboid by cuboid: elements with an abnormal leaf and more
       explanatory power than the best so far; the first (largest) whose risk, the weighted
       share of abnormal leaves minus the deviation left after rescaling its forecast by its
       own ripple (relative to its deviation before), reaches `risk_threshold` is the
       cuboid's answer; the first layer with an answer returns its largest. Values of the
       first layer without an abnormal leaf or explanatory power are pruned from later
       cuboids.
    5. Remove the element's leaves and search again, while the abnormal partition still
       holds `ep_threshold` of its initial explanatory power.

    With `real_a`, `predict_a`, `real_b`, `predict_b` columns the measure is derived: the
    deviation scores are those of the ratios a / b.
    """
    derived = {"real_a", "predict_a", "real_b", "predict_b"} <= set(leaves.columns)
    if derived:
        ra, pa = leaves["real_a"].to_numpy(float), leaves["predict_a"].to_numpy(float)
        rb, pb = leaves["real_b"].to_numpy(float), leaves["predict_b"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            v = np.where(rb != 0, ra / rb, 0.0)
            f = np.where(pb != 0, pa / pb, 0.0)
        total_a, total_b = pa.sum(), pb.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            ep = ((ra - pa) * total_b - (rb - pb) * total_a) / (total_b * (total_b + rb - pb))
        ep = np.nan_to_num(ep / ep.sum() if ep.sum() != 0 else ep)
    else:
        v = leaves["real"].to_numpy(dtype=float)
        f = leaves["predict"].to_numpy(dtype=float)
        total_deviation = v.sum() - f.sum()
        ep = (v - f) / total_deviation if total_deviation != 0 else np.zeros(len(v))
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.nan_to_num(2 * (f - v) / (f + v))
    cutoff = _cutoff(score, extreme_leaves)
    abnormal = (
        score > cutoff
        if cutoff > 0 or (cutoff == 0 and np.copysign(1, cutoff) > 0)
        else score < cutoff
    )
    weight = np.where(abnormal, np.abs(score), np.abs(cutoff - score))
    weight = np.where(~abnormal & (v == 0) & (f == 0), 0.0, weight)
    weight = np.minimum(weight, 1.0)
    if ep[abnormal].sum() < 0:
        ep = -ep
    threshold = ep_threshold * ep[abnormal].sum()
    codes = [pd.factorize(leaves[d].to_numpy())[0] for d in dims]
    uniques = [pd.factorize(leaves[d].to_numpy())[1] for d in dims]
    state = _RiskState(codes, v, f, score, abnormal, weight, ep, threshold, risk_threshold)
    causes: list[Slice] = []
    remaining = np.ones(len(v), dtype=bool)
    for _ in range(len(v)):
        if ep[remaining & abnormal].sum() < threshold:
            break
        found = state.search(remaining)
        if found is None:
            break
        combo, values = found
        causes.append(
            {dims[d]: _plain(uniques[d][value]) for d, value in zip(combo, values, strict=True)}
        )
        inside = np.ones(len(v), dtype=bool)
        for d, value in zip(combo, values, strict=True):
            inside &= codes[d] == value
        remaining &= ~inside
    return causes


def _cutoff(score: np.ndarray, extreme_leaves: int) -> float:
    distinct = np.unique(score)
    rank = min(extreme_leaves, len(distinct) - 1)
    low, high = distinct[rank], distinct[-(rank + 1)]
    return float(-(low if abs(low) <= abs(high) else high))


class _RiskState:
    """RiskLoc's search state: per-leaf terms and the first layer's pruned values."""

    def __init__(
        self,
        codes: list[np.ndarray],
        v: np.ndarray,
        f: np.ndarray,
        score: np.ndarray,
        abnormal: np.ndarray,
        weight: np.ndarray,
        ep: np.ndarray,
        threshold: float,
        risk_threshold: float,
    ) -> None:
        self.codes, self.v, self.f, self.score = codes, v, f, score
        self.abnormal, self.weight, self.ep = abnormal, weight, ep
        self.threshold, self.risk_threshold = threshold, risk_threshold
        self.sizes = [int(c.max()) + 1 if len(c) else 0 for c in codes]
        self.pruned = [np.zeros(size, dtype=bool) for size in self.sizes]

    def search(self, remaining: np.ndarray) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        n_dims = len(self.codes)
        for layer in range(1, n_dims + 1):
            best_ep, best = self.threshold, None
            for combo in combinations(range(n_dims), layer):
                rows = remaining.copy()
                for d in combo:
                    rows &= ~self.pruned[d][self.codes[d]]
                rows = np.flatnonzero(rows)
                if rows.size == 0:
                    continue
                key = np.zeros(rows.size, dtype=np.int64)
                for d in combo:
                    key = key * self.sizes[d] + self.codes[d][rows]
                inverse, unique = pd.factorize(key)
                count = len(unique)
                ep = np.bincount(inverse, weights=self.ep[rows], minlength=count)
                abnormal = np.bincount(inverse, weights=self.abnormal[rows], minlength=count)
                if layer == 1:
                    ep_positive = np.bincount(
                        inverse, weights=np.maximum(self.ep[rows], 0.0), minlength=count
                    )
                    prune = (ep_positive < self.threshold) | (abnormal == 0)
                    self.pruned[combo[0]][unique[prune]] = True
                candidate = (abnormal > 0) & (ep > best_ep)
                if not candidate.any():
                    continue
                risk = self._risk(rows, inverse, count)
                passing = np.flatnonzero(candidate & (risk >= self.risk_threshold))
                if passing.size == 0:
                    continue
                top = passing[np.argmax(ep[passing])]
                values = []
                flat = int(unique[top])
                for d in reversed(combo):
                    values.append(flat % self.sizes[d])
                    flat //= self.sizes[d]
                best_ep, best = float(ep[top]), (combo, tuple(reversed(values)))
            if best is not None:
                return best
        return None

    def _risk(self, rows: np.ndarray, inverse: np.ndarray, count: int) -> np.ndarray:
        """High risk (weighted share of abnormal leaves) minus low risk (deviation left
        after rescaling the forecast by the element's ripple, relative to before)."""
        w, abnormal = self.weight[rows], self.abnormal[rows]
        anomalous = np.bincount(inverse, weights=w * abnormal, minlength=count)
        normal = np.bincount(inverse, weights=w * ~abnormal, minlength=count) + 1
        high = anomalous / (anomalous + normal)
        v, f, score = self.v[rows], self.f[rows], self.score[rows]
        both = (v != 0) & (f != 0)
        real_sum = np.bincount(inverse, weights=v * both, minlength=count)
        predict_sum = np.bincount(inverse, weights=f * both, minlength=count)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(predict_sum > 0, real_sum / predict_sum, 0.0)
            a = f * ratio[inverse]
            left = np.nan_to_num(np.abs(2 * (a - v) / (a + v)))
        leaves = np.bincount(inverse, weights=both, minlength=count)
        after = np.bincount(inverse, weights=left * both, minlength=count)
        before = np.bincount(inverse, weights=np.abs(score) * both, minlength=count)
        with np.errstate(divide="ignore", invalid="ignore"):
            low = np.where((leaves > 0) & (before > 0), after / before, 0.0)
        return high - low


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value
