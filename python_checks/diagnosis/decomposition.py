"""Exact decompositions of a metric's change between a baseline and a comparison period.

Every function here returns contributions that add up to the total change (within float
rounding), so a waterfall built from them always closes:

- `sum_attribution`: a metric that is a sum of children; a child's contribution is its change.
- `lmdi`: a metric that is a product of drivers; log-mean Divisia index, additive form (Ang 2004).
- `shapley_product`: the same product attributed by exact Shapley values (any number of drivers).
- `mix_rate_decomposition`: a ratio metric (sum of numerators over sum of denominators across
  slices) split into a share-shift (mix) effect and a within-slice rate effect.
- `dimension_contributions`: an additive metric's change split across the slices of a dimension.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

MAX_SHAPLEY_DRIVERS = 20


@dataclass(frozen=True)
class DriverAttribution:
    """A metric's change between two periods attributed to its drivers (or children)."""

    method: str
    baseline: float
    comparison: float
    total_change: float
    contributions: Mapping[str, float]

    @property
    def residual(self) -> float:
        """Total change minus the sum of contributions: zero up to float rounding."""
        return self.total_change - math.fsum(self.contributions.values())


def _check_drivers(baseline: Mapping[str, float], comparison: Mapping[str, float]) -> list[str]:
    if not baseline:
        raise ValueError("no drivers given")
    if set(baseline) != set(comparison):
        raise ValueError(
            f"baseline and comparison drivers differ: {sorted(baseline)} vs {sorted(comparison)}"
        )
    for name in baseline:
        for period, values in (("baseline", baseline), ("comparison", comparison)):
            if not math.isfinite(values[name]):
                raise ValueError(f"driver {name!r} is not finite in the {period}")
    return list(baseline)


def sum_attribution(
    baseline: Mapping[str, float], comparison: Mapping[str, float]
) -> DriverAttribution:
    """Parent = sum of children: each child contributes exactly its own change."""
    names = _check_drivers(baseline, comparison)
    total_0 = math.fsum(baseline[name] for name in names)
    total_1 = math.fsum(comparison[name] for name in names)
    return DriverAttribution(
        "sum",
        total_0,
        total_1,
        total_1 - total_0,
        {name: comparison[name] - baseline[name] for name in names},
    )


def log_mean(a: float, b: float) -> float:
    """Logarithmic mean L(a, b) = (a - b) / (ln a - ln b), with L(a, a) = a; a, b > 0."""
    if a <= 0 or b <= 0:
        raise ValueError(f"the logarithmic mean needs positive values, got {a} and {b}")
    if a == b:
        return a
    # log1p form: accurate when a and b are close.
    ratio = a / b
    if abs(ratio - 1.0) < 1e-6:
        return b * (ratio - 1.0) / math.log1p(ratio - 1.0)
    return (a - b) / math.log(ratio)


def lmdi(baseline: Mapping[str, float], comparison: Mapping[str, float]) -> DriverAttribution:
    """Additive LMDI-I attribution of V = prod(drivers) between two periods.

    contribution_k = L(V1, V0) * ln(x1_k / x0_k), which sums exactly to V1 - V0.

    Edge cases, handled explicitly:
    - a negative driver in either period: ValueError (the log decomposition is undefined;
      use `shapley_product`, which accepts any sign);
    - zero drivers: the limit of LMDI as the zeros tend to 0 (Ang & Liu 2007's small-value
      strategy taken to its limit). If the product is zero in one period only, the whole
      change goes to the drivers that are zero there, split equally among them; if it is zero
      in both periods, every contribution is 0.
    """
    names = _check_drivers(baseline, comparison)
    for name in names:
        if baseline[name] < 0 or comparison[name] < 0:
            raise ValueError(
                f"LMDI needs non-negative drivers; {name!r} is negative "
                "(use shapley_product for signed drivers)"
            )
    v0 = math.prod(baseline[name] for name in names)
    v1 = math.prod(comparison[name] for name in names)
    zero_0 = [name for name in names if baseline[name] == 0]
    zero_1 = [name for name in names if comparison[name] == 0]
    if zero_0 or zero_1:
        contributions = dict.fromkeys(names, 0.0)
        if zero_0 and not zero_1:
            for name in zero_0:
                contributions[name] = v1 / len(zero_0)
        elif zero_1 and not zero_0:
            for name in zero_1:
                contributions[name] = -v0 / len(zero_1)
        return DriverAttribution("lmdi", v0, v1, v1 - v0, contributions)
    weight = log_mean(v1, v0)
    contributions = {name: weight * math.log(comparison[name] / baseline[name]) for name in names}
    return DriverAttribution("lmdi", v0, v1, v1 - v0, contributions)


def shapley_product(
    baseline: Mapping[str, float], comparison: Mapping[str, float]
) -> DriverAttribution:
    """Exact Shapley attribution of V = prod(drivers): each driver's average marginal effect
    of switching it from its baseline to its comparison value, over all orders.

    phi_k = sum over subsets S of the other drivers of |S|! (n-|S|-1)! / n!
            * (V(S + k) - V(S)), where V(S) uses comparison values for S, baseline otherwise.
    Exact for any sign and zeros; cost 2^n, so n is capped at MAX_SHAPLEY_DRIVERS.
    """
    names = _check_drivers(baseline, comparison)
    n = len(names)
    if n > MAX_SHAPLEY_DRIVERS:
        raise ValueError(f"{n} drivers: exact Shapley is capped at {MAX_SHAPLEY_DRIVERS}")
    weights = [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    contributions = {}
    for k, name in enumerate(names):
        others = [i for i in range(n) if i != k]
        terms = []
        for size in range(n):
            for subset in combinations(others, size):
                switched = set(subset)
                rest = math.prod(
                    comparison[names[i]] if i in switched else baseline[names[i]] for i in others
                )
                terms.append(weights[size] * rest * (comparison[name] - baseline[name]))
        contributions[name] = math.fsum(terms)
    v0 = math.prod(baseline[name] for name in names)
    v1 = math.prod(comparison[name] for name in names)
    return DriverAttribution("shapley", v0, v1, v1 - v0, contributions)


@dataclass(frozen=True)
class MixRateDecomposition:
    """A ratio metric's change split into a share-shift (mix) and a within-slice rate effect.

    `slices` has one row per slice: baseline/comparison share and rate, `mix_effect`,
    `rate_effect` and `total_effect` (= mix + rate).
    """

    baseline_rate: float
    comparison_rate: float
    total_change: float
    mix_effect: float
    rate_effect: float
    slices: pd.DataFrame


def mix_rate_decomposition(
    frame: pd.DataFrame,
    slice_columns: Sequence[str],
    baseline_numerator: str,
    baseline_denominator: str,
    comparison_numerator: str,
    comparison_denominator: str,
) -> MixRateDecomposition:
    """Split R = sum(num) / sum(den) into mix and rate effects, exactly and symmetrically.

    With share s_i = den_i / sum(den) and rate r_i = num_i / den_i, R = sum_i s_i r_i and the
    two-factor Shapley (midpoint) split of each slice's term s_i r_i gives
        rate_i = (r1_i - r0_i) * (s0_i + s1_i) / 2
        mix_i  = (s1_i - s0_i) * ((r0_i + r1_i) / 2 - (R0 + R1) / 2)
    The centring constant in mix_i sums to zero over slices (shares sum to 1 in both periods),
    so mix + rate = R1 - R0 exactly, and a slice's mix effect is negative when share moves
    into it while its rate is below the average: the reading an analyst expects.

    A slice present in one period only (zero denominator in the other) has no rate there; its
    rate is taken equal in both periods, so its whole effect is mix (it entered or left).
    Slices with zero denominator in both periods are dropped.
    """
    columns = [baseline_numerator, baseline_denominator, comparison_numerator]
    columns.append(comparison_denominator)
    grouped = frame.groupby(list(slice_columns), dropna=False, observed=True)[columns].sum()
    num0, den0, num1, den1 = (grouped[column].to_numpy(dtype=float) for column in columns)
    if (den0 < 0).any() or (den1 < 0).any():
        raise ValueError("denominators must be non-negative")
    keep = (den0 > 0) | (den1 > 0)
    grouped, num0, den0, num1, den1 = grouped[keep], num0[keep], den0[keep], num1[keep], den1[keep]
    if den0.sum() <= 0 or den1.sum() <= 0:
        raise ValueError("the total denominator is zero in one period: the rate is undefined")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate0 = np.where(den0 > 0, num0 / den0, np.nan)
        rate1 = np.where(den1 > 0, num1 / den1, np.nan)
    rate0 = np.where(den0 > 0, rate0, rate1)
    rate1 = np.where(den1 > 0, rate1, rate0)
    share0 = den0 / den0.sum()
    share1 = den1 / den1.sum()
    total0 = num0.sum() / den0.sum()
    total1 = num1.sum() / den1.sum()
    rate_effect = (rate1 - rate0) * (share0 + share1) / 2
    mix_effect = (share1 - share0) * ((rate0 + rate1) / 2 - (total0 + total1) / 2)
    slices = pd.DataFrame(
        {
            "baseline_share": share0,
            "comparison_share": share1,
            "baseline_rate": rate0,
            "comparison_rate": rate1,
            "mix_effect": mix_effect,
            "rate_effect": rate_effect,
            "total_effect": mix_effect + rate_effect,
        },
        index=grouped.index,
    ).reset_index()
    return MixRateDecomposition(
        float(total0),
        float(total1),
        float(total1 - total0),
        math.fsum(mix_effect),
        math.fsum(rate_effect),
        slices,
    )


@dataclass(frozen=True)
class DimensionContributions:
    """An additive metric's change split across slices: `slices` has baseline, comparison,
    change and share_of_change (change / total change; NaN when the total change is 0)."""

    total_change: float
    slices: pd.DataFrame


def dimension_contributions(
    frame: pd.DataFrame, slice_columns: Sequence[str], baseline: str, comparison: str
) -> DimensionContributions:
    """Each slice's change and its share of the total change, largest absolute change first."""
    grouped = frame.groupby(list(slice_columns), dropna=False, observed=True)[
        [baseline, comparison]
    ].sum()
    change = grouped[comparison].astype(float) - grouped[baseline].astype(float)
    total = math.fsum(change)
    slices = pd.DataFrame(
        {
            "baseline": grouped[baseline].astype(float),
            "comparison": grouped[comparison].astype(float),
            "change": change,
            "share_of_change": change / total if total != 0 else np.nan,
        }
    )
    order = slices["change"].abs().sort_values(ascending=False, kind="stable").index
    return DimensionContributions(total, slices.loc[order].reset_index())
