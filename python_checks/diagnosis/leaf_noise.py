"""How each leaf is expected to behave: its expected value (for a ratio, the expected rate at
the actual volume) and the variance of its deviation, the noise model the localization
likelihood is written in.

The variance is `a * base + c * expected^2` (`stats.variance_mixture`): `base` is what
counting alone gives (binomial for a ratio of counts, in both periods when the rate comes
from a baseline; the expected value itself for an additive metric against a forecast, the
mean of both periods, counted in both, against a baseline mean), `c` the multiplicative
part (forecast error, leaf-to-leaf variation of a rate). Both are fitted to the leaves by a
median regression of the log squared deviations, which a minority of anomalous leaves does
not move; once localization has found the root causes, again without them. Counts enter the
median regression only from five expected events, where a count is close enough to
continuous, and the binomial (or Poisson) variance is a floor (`a >= 1`). Other values can
be sums of sparse events (watch hours: mostly nothing, sometimes a long view), whose
variance a median misses: once the root causes are known they are refitted by moments (a
mean of squared deviations) over the leaves outside them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from python_checks.diagnosis.leaf_columns import LeafColumns
from python_checks.diagnosis.normal_rates import fit_main_effects
from python_checks.stats.variance_mixture import (
    VarianceMixture,
    fit_variance_mixture,
    fit_variance_mixture_robustly,
)

# Counts enter the median regression only from this counting variance (about five expected
# events), where a count is close enough to continuous for a log-scale fit.
MIN_ROBUST_FIT_BASE = 5.0


@dataclass(frozen=True)
class LeafValues:
    """Actual and expected numerators per leaf, the counting variance of their difference,
    whether the values are counts, and for a ratio of counts the actual denominators."""

    actual: np.ndarray
    expected: np.ndarray
    base: np.ndarray
    counts: bool
    volume: np.ndarray | None = None

    def subset(self, rows: np.ndarray) -> LeafValues:
        volume = None if self.volume is None else self.volume[rows]
        return LeafValues(
            self.actual[rows], self.expected[rows], self.base[rows], self.counts, volume
        )


def leaf_values(
    frame: pd.DataFrame,
    codes: list[np.ndarray],
    columns: LeafColumns,
    baseline_periods: int | None = None,
) -> LeafValues:
    """Actual and expected numerators of each leaf and the variance counting would give.

    baseline_periods: for an additive metric, the expected values are the mean of this many
    earlier periods (a baseline) rather than a forecast (None)."""
    v = frame[columns.actual].to_numpy(dtype=float)
    f = frame[columns.expected].to_numpy(dtype=float)
    if columns.actual_denominator is None:
        if columns.expected_denominator is not None:
            raise ValueError("expected_denominator given without actual_denominator")
        counts = bool(np.all(v >= 0) and np.all(v == np.round(v)))
        if baseline_periods is None:
            return LeafValues(v, f, np.abs(f), counts)
        # A baseline mean is a measurement too: v - f counts in both periods, and under
        # "nothing moved" both measure one mean, best estimated from both (the variance at
        # the null's maximum-likelihood estimate, as a score test takes it). A leaf the baseline
        # never saw (new content, a creator who crossed into another follower band) is
        # then not certain to the smallest variance: a leaf of 3 against 0 counts as 3
        # events against none, not as infinitely many standard deviations.
        k = float(baseline_periods)
        pooled = (np.abs(v) + k * np.abs(f)) / (k + 1.0)
        return LeafValues(v, f, pooled * (1.0 + 1.0 / k), counts)
    n1 = frame[columns.actual_denominator].to_numpy(dtype=float)
    n0 = (
        n1
        if columns.expected_denominator is None
        else frame[columns.expected_denominator].to_numpy(float)
    )
    if (n0 < 0).any() or (n1 < 0).any():
        raise ValueError("denominators must be non-negative")
    counts = bool(
        np.all(v >= 0) and np.all(v == np.round(v)) and np.all(n1 == np.round(n1))
        and np.all(v <= n1)
    )  # fmt: skip
    if columns.expected_denominator is None:  # expected is already at the actual volume
        overall_rate = f.sum() / n1.sum() if n1.sum() > 0 else 0.0
        smooth = (f + overall_rate) / (n1 + 1)
        base = n1 * _spread(smooth, counts)
        return LeafValues(v, f, base, counts, n1)
    if n0.sum() <= 0:
        raise ValueError("the expected denominator sums to zero: no expected rate")
    overall_rate = f.sum() / n0.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n0 > 0, f / n0, overall_rate)
    unseen = n0 <= 0
    history = n0.copy()  # the baseline volume each leaf's expected rate rests on
    if unseen.any():
        rate[unseen], history[unseen] = _unseen_leaf_rates(codes, f, n0, unseen, overall_rate)
    # The baseline rate of a leaf with little history is mostly noise (no failure in 50
    # sessions is not a rate of 0): it is the posterior mean under a prior worth one event
    # at the rate a main-effects model of the baseline gives the leaf (a gamma-Poisson
    # shrinkage towards what its dimension values fail at), which a long history overrides.
    prior_rate = _main_effects_rate(codes, f, n0, overall_rate)
    prior = np.where(prior_rate > 0, 1.0 / np.maximum(prior_rate, 1e-300), 0.0)
    rate = (rate * history + prior_rate * prior) / np.maximum(history + prior, 1e-300)
    # Noise of v - rate * n1: counting in both periods.
    base = n1 * _spread(rate, counts) * (1 + n1 / (history + prior + 1))
    return LeafValues(v, rate * n1, base, counts, n1)


def _main_effects_rate(
    codes: list[np.ndarray], f: np.ndarray, n0: np.ndarray, overall_rate: float
) -> np.ndarray:
    """Each leaf's baseline rate under a main-effects model of the baseline (one factor per
    dimension value, `normal_rates.fit_main_effects`), capped at 1; the overall rate when the
    values are not counts or the baseline has no events."""
    if overall_rate <= 0 or (f < 0).any():
        return np.full(len(f), max(overall_rate, 0.0))
    model = fit_main_effects(codes, f, n0, tolerance=1e-4, max_sweeps=30)
    return np.minimum(np.exp(model.log_rate(codes)), 1.0)


def _spread(rate: np.ndarray, counts: bool) -> np.ndarray:
    """Per unit of volume, the counting variance of a rate: binomial for proportions of
    counts, Poisson (the rate itself) otherwise."""
    if counts and np.all((rate >= 0) & (rate <= 1)):
        return rate * (1 - rate)
    return np.abs(rate)


def _unseen_leaf_rates(
    codes: list[np.ndarray],
    f: np.ndarray,
    n0: np.ndarray,
    unseen: np.ndarray,
    overall_rate: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected rates of the leaves with no baseline volume, and the volume each rests on.

    A leaf is unseen either because one of its values is brand new (a model version rolled
    out today) or because an old combination had no traffic. For the first kind the best
    guess is the rate of the same traffic with the new values left out: the leaf's ancestor
    over the dimensions whose values had baseline volume (for_you x rec_v8 x BR takes the
    baseline rate of for_you x BR). The other kind, or an ancestor with no volume either,
    takes the overall rate.
    """
    is_new = []
    for code in codes:
        volume = np.bincount(code, weights=n0, minlength=int(code.max()) + 1)
        is_new.append(volume[code] <= 0)
    new_pattern = np.stack(is_new, axis=1) if codes else np.zeros((len(f), 0), dtype=bool)
    rates = np.full(int(unseen.sum()), overall_rate)
    volumes = np.full(int(unseen.sum()), float(n0.sum()))
    unseen_rows = np.flatnonzero(unseen)
    patterns = new_pattern[unseen_rows]
    if not codes or len(unseen_rows) == 0:
        return rates, volumes
    # The unseen leaves that are new in the same dimensions share their ancestors' dimensions.
    by_pattern = _groups(list(patterns.T))
    for group in range(int(by_pattern.max()) + 1):
        members = np.flatnonzero(by_pattern == group)
        pattern = patterns[members[0]]
        if not pattern.any() or pattern.all():
            continue
        ancestor = _groups([code for code, new in zip(codes, pattern, strict=True) if not new])
        f_sum = np.bincount(ancestor, weights=f)
        n_sum = np.bincount(ancestor, weights=n0)
        found = ancestor[unseen_rows[members]]
        seen = n_sum[found] > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            rates[members] = np.where(seen, f_sum[found] / n_sum[found], overall_rate)
        volumes[members] = np.where(seen, n_sum[found], n0.sum())
    return rates, volumes


def _groups(codes: list[np.ndarray]) -> np.ndarray:
    """Per leaf, a number shared by the leaves with the same value in each of `codes` (in
    no particular order: the caller reads only which leaves share one). Through one integer
    key per leaf when the combinations fit in 64 bits: a hash of one column, where unique
    rows of a 2-D array are sorted."""
    sizes = [int(code.max()) + 1 for code in codes]
    if float(np.prod([float(size) for size in sizes])) >= 2.0**62:
        return np.unique(np.stack(codes), axis=1, return_inverse=True)[1].ravel()
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for code, size in zip(codes, sizes, strict=True):
        key = key * size + code
    return pd.factorize(key)[0]


def leaf_variance(
    values: LeafValues, fit_on: np.ndarray | None = None
) -> tuple[np.ndarray, VarianceMixture]:
    """The variance of each leaf's deviation, `a * base + c * expected^2`, and the fitted
    mixture, over the leaves `fit_on` marks (all by default; the caller leaves out the root
    causes found). Counts: by median regression over the leaves with five or more expected
    events, the counting variance a floor. Other values: by median regression while the
    anomalies are not known (`fit_on` None), by moments once they are. Never zero where a
    leaf has any activity: leaves the formula gives no variance (nothing expected) get the
    smallest positive one."""
    v, e, base = values.actual, values.expected, values.base
    residual = v - e
    usable = e != 0 if fit_on is None else (e != 0) & fit_on
    if values.counts:
        usable &= base >= MIN_ROBUST_FIT_BASE
        fitted = fit_variance_mixture_robustly(residual, base, e, usable=usable)
    elif fit_on is None:
        fitted = fit_variance_mixture_robustly(residual, base, e, usable=usable)
    else:
        fitted = fit_variance_mixture(residual, base, e, usable=usable)
    if values.counts:  # counting variance is a floor
        if fitted is None:
            mixture = VarianceMixture(1.0, 0.0, 0)
        else:
            mixture = VarianceMixture(max(1.0, fitted.level), fitted.quadratic, fitted.fitted_on)
    elif fitted is None:  # too few leaves: the mean squared residual per unit of base
        total_base = float(base.sum())
        level = float(np.square(residual).sum() / total_base) if total_base > 0 else 0.0
        mixture = VarianceMixture(level, 0.0, 0)
    else:
        mixture = fitted
    variance = mixture.variance(base, e)
    positive = variance > 0
    if not positive.all():
        floor = float(variance[positive].min()) if positive.any() else 1.0
        variance = np.where(positive, variance, floor)
    return variance, mixture
