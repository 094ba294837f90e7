"""The normal failure rate of every leaf from one period: a main-effects model, fitted robustly.

Without a baseline the only evidence of what is normal is the file itself. Dimension values
differ intrinsically (some devices, bitrates or CDNs always fail 2-3x more), so one rate for
every leaf mistakes them for root causes. Here the rate of a leaf is

    rate = exp(intercept + effect[dim 1][value] + effect[dim 2][value] + ...)

a Poisson log-linear model of failures with the sessions as exposure. Its maximum-likelihood
fit matches the observed failures of every dimension value, so it is found by iterative
proportional fitting (raking): rescale one dimension's factors at a time until the margins
agree. That costs a few `bincount`s per sweep, fast at a million leaves where a general GLM
fit is not.

A one-dimension root cause is itself a main effect, so the fit would explain it away. What
sets it apart from an intrinsically bad value is its size against the spread of the other
values of its dimension: `outlying_values` tests each fitted effect against the dimension's
median and MAD (plus the effect's own standard error), and `normal_failures` predicts those
values at their dimension's median instead. Leaves of root causes already found are left out
of the fit (`weights`), so that a multi-dimension root cause does not inflate the effects of
its values elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from python_checks.stats.robust import MAD_TO_SD, weighted_median


@dataclass(frozen=True)
class MainEffects:
    """A fitted main-effects model of the log failure rate."""

    intercept: float  # log of the rate of a leaf whose effects are all zero
    effects: tuple[np.ndarray, ...]  # per dimension, the log factor of each value code
    failures: tuple[np.ndarray, ...]  # per dimension, weighted observed failures per value
    sessions: tuple[np.ndarray, ...]  # per dimension, weighted sessions per value
    sweeps: int  # raking sweeps until convergence

    def log_rate(self, codes: Sequence[np.ndarray]) -> np.ndarray:
        """The model's log failure rate of each leaf."""
        log_rate = np.full(len(codes[0]), self.intercept)
        for code, effect in zip(codes, self.effects, strict=True):
            log_rate += effect[code]
        return log_rate


def fit_main_effects(
    codes: Sequence[np.ndarray],
    failed: np.ndarray,
    total: np.ndarray,
    weights: np.ndarray | None = None,
    prior_failures: float = 1.0,
    tolerance: float = 1e-6,
    max_sweeps: int = 100,
) -> MainEffects:
    """Fit log(rate) = intercept + sum of per-value effects by raking.

    codes: per dimension, the value code (0..k-1) of every leaf. weights: 0/1 (or fractional)
    weight per leaf in the fit. prior_failures: a pseudo-count that shrinks each value's
    factor towards 1 (`(failures + prior) / (expected + prior)` per update), so that values
    with few sessions stay near the others; with 0 the fit is the Poisson maximum-likelihood
    estimate (checked against statsmodels' GLM in the tests). Effects are centred so that
    their session-weighted mean is zero in every dimension; values without weighted sessions
    get effect 0.
    """
    failed = np.asarray(failed, dtype=float)
    total = np.asarray(total, dtype=float)
    weight = np.ones(len(failed)) if weights is None else np.asarray(weights, dtype=float)
    if len(codes) == 0:
        raise ValueError("no dimensions to fit")
    if (total < 0).any() or (failed < 0).any():
        raise ValueError("failed and total must be non-negative")
    sizes = [int(code.max()) + 1 if len(code) else 0 for code in codes]
    exposure = weight * total
    observed = weight * failed
    pairs = list(zip(codes, sizes, strict=True))
    failures = tuple(np.bincount(c, weights=observed, minlength=k) for c, k in pairs)
    sessions = tuple(np.bincount(c, weights=exposure, minlength=k) for c, k in pairs)
    if exposure.sum() <= 0:
        raise ValueError("no sessions to fit a failure rate on")
    # Half a failure when there are none keeps the log finite.
    overall = max(float(observed.sum()), 0.5) / float(exposure.sum())
    expected = exposure * overall  # weighted expected failures under the current factors
    effects = [np.zeros(k) for k in sizes]
    sweeps = 0
    for sweeps in range(1, max_sweeps + 1):  # noqa: B007 (reported in the result)
        largest_step = 0.0
        for dim, code in enumerate(codes):
            fitted = np.bincount(code, weights=expected, minlength=sizes[dim])
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = (failures[dim] + prior_failures) / (fitted + prior_failures)
            # Without a prior a value with no failures heads for a zero rate: stop at e^-30.
            ratio = np.where(sessions[dim] > 0, np.maximum(ratio, 1e-13), 1.0)
            step = np.maximum(np.log(ratio), -30.0 - effects[dim])
            effects[dim] += step
            expected *= np.exp(step[code])
            largest_step = max(largest_step, float(np.abs(step).max(initial=0.0)))
        if largest_step < tolerance:
            break
    intercept = math.log(overall)
    for dim in range(len(codes)):  # centre: session-weighted mean effect zero
        volume = sessions[dim].sum()
        shift = float((effects[dim] * sessions[dim]).sum() / volume) if volume > 0 else 0.0
        effects[dim] = np.where(sessions[dim] > 0, effects[dim] - shift, 0.0)
        intercept += shift
    return MainEffects(intercept, tuple(effects), failures, sessions, sweeps)


@dataclass(frozen=True)
class OutlierTest:
    """Per dimension, which values' effects stand out from the others', and the reference."""

    center: tuple[float, ...]  # per dimension, the median effect (the normal value)
    spread: tuple[float, ...]  # per dimension, the robust spread of the effects (log scale)
    outlying: tuple[np.ndarray, ...]  # per dimension, bool per value code


def outlying_values(
    model: MainEffects,
    min_z: float = 2.5,
    min_log_factor: float = math.log(2.5),
    min_spread: float = 0.1,
    min_failures: float = 10.0,
    direction: str = "up",
) -> OutlierTest:
    """Values whose effect is further above their dimension's median than intrinsic spread
    and noise allow: effect - median >= min_z * sqrt(spread^2 + se^2) and >= min_log_factor,
    with se = 1 / sqrt(failures + 1) (Poisson).

    The median and spread (1.4826 * MAD) are over the values with at least `min_failures`
    failures, unweighted: a dimension's typical value, whatever its traffic (one CDN can
    carry most of it, and be the one that broke). With fewer than three such values the
    center is the session-weighted median and the spread `min_spread`, which is also its
    floor. direction: "up" flags only values that fail more (an incident raises a failure
    rate; an intrinsically good value is not a root cause), "both" either way.
    """
    if direction not in ("up", "both"):
        raise ValueError(f"direction must be 'up' or 'both', got {direction!r}")
    centers, spreads, flags = [], [], []
    for effect, failures, sessions in zip(
        model.effects, model.failures, model.sessions, strict=True
    ):
        seen = sessions > 0
        reliable = seen & (failures >= min_failures)
        spread = min_spread
        if reliable.sum() >= 3:
            center = float(np.median(effect[reliable]))
            mad = float(np.median(np.abs(effect[reliable] - center)))
            spread = max(min_spread, MAD_TO_SD * mad)
        else:
            center = weighted_median(effect[seen], sessions[seen]) if seen.any() else 0.0
        distance = effect - center if direction == "up" else np.abs(effect - center)
        noise = np.sqrt(spread**2 + 1.0 / (failures + 1.0))
        flags.append(seen & (distance >= min_z * noise) & (distance >= min_log_factor))
        centers.append(center)
        spreads.append(spread)
    return OutlierTest(tuple(centers), tuple(spreads), tuple(flags))


def robust_main_effects(
    codes: Sequence[np.ndarray],
    failed: np.ndarray,
    total: np.ndarray,
    weights: np.ndarray | None = None,
    rounds: int = 3,
    min_cell_z: float = 3.0,
    min_cell_log_ratio: float = math.log(1.5),
) -> MainEffects:
    """Main effects fitted without the two-dimension cells whose failures are far above the
    fit (a trimmed fit).

    A root cause of two or three dimensions is an interaction: a plain fit spreads part of
    its excess over the effects of its values, which then look worse everywhere else. After
    each fit, every cell of every pair of dimensions with at least `min_cell_z` Poisson
    standard deviations and `min_cell_log_ratio` more failures than the fit predicts is left
    out of the next one; cells are measured on the leaves still in, so that the parents of
    a trimmed cell in other pairs (diluted by it) are not trimmed too. Only excesses are
    trimmed: an incident raises a failure rate, and the cells a contaminated fit
    over-predicts are the healthy rest of an affected value.
    """
    failed = np.asarray(failed, dtype=float)
    total = np.asarray(total, dtype=float)
    weight = np.ones(len(failed)) if weights is None else np.asarray(weights, dtype=float)
    model = fit_main_effects(codes, failed, total, weight)
    for _ in range(rounds):
        expected = total * np.exp(model.log_rate(codes))
        trimmed = _cells_in_excess(
            codes, failed * weight, expected * weight, min_cell_z, min_cell_log_ratio
        )
        new_weight = np.where(trimmed, 0.0, weight)
        if np.array_equal(new_weight, weight) or (new_weight * total).sum() <= 0:
            break
        weight = new_weight
        model = fit_main_effects(codes, failed, total, weight)
    return model


def _cells_in_excess(
    codes: Sequence[np.ndarray],
    failed: np.ndarray,
    expected: np.ndarray,
    min_z: float,
    min_log_ratio: float,
) -> np.ndarray:
    """Leaves in a cell of some pair of dimensions that fails far more than expected."""
    inside = np.zeros(len(failed), dtype=bool)
    sizes = [int(code.max()) + 1 for code in codes]
    for first, second in combinations(range(len(codes)), 2):
        cell = codes[first] * sizes[second] + codes[second]
        space = sizes[first] * sizes[second]
        observed = np.bincount(cell, weights=failed, minlength=space)
        predicted = np.bincount(cell, weights=expected, minlength=space)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (observed - predicted) / np.sqrt(np.maximum(predicted, 1.0))
            log_ratio = np.log((observed + 0.5) / (predicted + 0.5))
        excess = (z >= min_z) & (log_ratio >= min_log_ratio)
        inside |= excess[cell]
    return inside


def normal_failures(
    codes: Sequence[np.ndarray],
    failed: np.ndarray,
    total: np.ndarray,
    excluded: np.ndarray | None = None,
    **test_options: float,
) -> np.ndarray:
    """Expected failures of every leaf under its normal rate (`normal_model`'s first part)."""
    return normal_model(codes, failed, total, excluded, **test_options)[0]


def normal_model(
    codes: Sequence[np.ndarray],
    failed: np.ndarray,
    total: np.ndarray,
    excluded: np.ndarray | None = None,
    **test_options: float,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Expected failures of every leaf under its normal rate, and per dimension which values
    are predicted at the dimension's median rather than at their own fitted effect.

    The main effects are fitted without the `excluded` leaves (root causes found so far);
    values whose effect is an outlier in its dimension, and values with no sessions left
    in the fit, are predicted at their dimension's median effect. Rates are capped at 1.
    Multi-dimension causes are left to the refits without the causes found, not trimmed
    (`robust_main_effects`): a trimmed fit misses the margins of the values whose cells it
    trimmed, and localization then blames those values.
    """
    weights = None
    if excluded is not None and (np.asarray(total)[~excluded]).sum() > 0:
        weights = (~excluded).astype(float)
    model = fit_main_effects(codes, failed, total, weights)
    test = outlying_values(model, **test_options)
    log_rate = np.full(len(failed), model.intercept)
    replaced = []
    for dim, code in enumerate(codes):
        effect = model.effects[dim].copy()
        replace = test.outlying[dim] | (model.sessions[dim] <= 0)
        effect[replace] = test.center[dim]
        log_rate += effect[code]
        replaced.append(replace)
    return np.asarray(total, dtype=float) * np.minimum(np.exp(log_rate), 1.0), replaced
