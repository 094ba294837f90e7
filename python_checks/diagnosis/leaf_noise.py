"""How each leaf is expected to behave: its expected value (for a ratio, the expected rate at
the actual volume) and the variance of its deviation, the noise model localization weighs
deviations with."""

from __future__ import annotations

import numpy as np
import pandas as pd

from python_checks.diagnosis.leaf_columns import LeafColumns
from python_checks.stats.robust import CHI2_1_MEDIAN


def expected_numerator(
    frame: pd.DataFrame,
    codes: list[np.ndarray],
    columns: LeafColumns,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Actual and expected numerators per leaf, and a binomial noise variance for ratios."""
    v = frame[columns.actual].to_numpy(dtype=float)
    f = frame[columns.expected].to_numpy(dtype=float)
    if columns.actual_denominator is None:
        if columns.expected_denominator is not None:
            raise ValueError("expected_denominator given without actual_denominator")
        return v, f, None
    n1 = frame[columns.actual_denominator].to_numpy(dtype=float)
    n0 = (
        n1
        if columns.expected_denominator is None
        else frame[columns.expected_denominator].to_numpy(float)
    )
    if (n0 < 0).any() or (n1 < 0).any():
        raise ValueError("denominators must be non-negative")
    if columns.expected_denominator is None:  # expected is already at the actual volume
        overall_rate = f.sum() / n1.sum() if n1.sum() > 0 else 0.0
        smooth = np.clip((f + overall_rate) / (n1 + 1), 0.0, 1.0)
        return v, f, n1 * smooth * (1 - smooth)
    if n0.sum() <= 0:
        raise ValueError("the expected denominator sums to zero: no expected rate")
    overall_rate = f.sum() / n0.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n0 > 0, f / n0, overall_rate)
    unseen = n0 <= 0
    history = n0.copy()  # the baseline volume each leaf's expected rate rests on
    if unseen.any():
        rate[unseen], history[unseen] = _unseen_leaf_rates(codes, f, n0, unseen, overall_rate)
    # Noise of v - rate * n1: binomial in both periods, the rate smoothed towards the overall
    # one so that a leaf with no expected failures still has some variance.
    smooth = np.clip((rate * history + overall_rate) / (history + 1), 0.0, 1.0)
    variance = n1 * smooth * (1 - smooth) * (1 + n1 / (history + 1))
    return v, rate * n1, variance


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
    for pattern in np.unique(patterns, axis=0):
        if not pattern.any() or pattern.all():
            continue
        kept = np.stack([code for code, new in zip(codes, pattern, strict=True) if not new])
        _, ancestor = np.unique(kept, axis=1, return_inverse=True)
        ancestor = ancestor.ravel()
        f_sum = np.bincount(ancestor, weights=f)
        n_sum = np.bincount(ancestor, weights=n0)
        members = np.flatnonzero((patterns == pattern).all(axis=1))
        found = ancestor[unseen_rows[members]]
        seen = n_sum[found] > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            rates[members] = np.where(seen, f_sum[found] / n_sum[found], overall_rate)
        volumes[members] = np.where(seen, n_sum[found], n0.sum())
    return rates, volumes


def power_variance(v: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Leaf noise variance for an additive metric: sigma^2 = c * |e|^p, fitted on
    log((v - e)^2) against log|e| (the constant absorbs E[log chi2_1] = -1.27)."""
    residual2 = (v - e) ** 2
    usable = (np.abs(e) > 0) & (residual2 > 0)
    if usable.sum() < 10:
        return np.full(len(v), residual2.mean() if len(v) else 0.0)
    x, y = np.log(np.abs(e[usable])), np.log(residual2[usable])
    slope = float(np.clip(np.polyfit(x, y, 1)[0], 0.0, 2.0)) if np.ptp(x) > 0 else 0.0
    level = float(np.exp(np.mean(y - slope * x) + 1.27))
    return level * np.maximum(np.abs(e), np.median(np.abs(e[usable]))) ** slope


def calibrated(v: np.ndarray, e: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """Scale the variance by a robust overdispersion factor (never below 1)."""
    positive = variance > 0
    if not positive.any():
        return variance
    ratio = (v - e)[positive] ** 2 / variance[positive]
    return variance * max(1.0, float(np.median(ratio)) / CHI2_1_MEDIAN)


def leaf_loss(residual: np.ndarray, variance: np.ndarray, loss: str) -> np.ndarray:
    if loss == "absolute":
        return np.abs(residual)
    if loss == "squared":
        return residual**2 / np.maximum(variance, 1e-12)
    raise ValueError(f"loss must be 'absolute' or 'squared', got {loss!r}")
