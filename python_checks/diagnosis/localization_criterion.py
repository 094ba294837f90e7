"""The criterion localization chooses root causes by: a slice is worth naming when the
likelihood-ratio statistic of its ripple (its leaves moving by one factor) exceeds the code
length of naming it and fitting its factor (`stats.model_selection`).

A slice of k dimensions is named among the slices the file could have on layer k, so its
penalty is

    penalty_k = scale * (log n + 2 log K + 2 log M_k)

with n the active leaves (the BIC term of its one factor), K the layers searched (which
layer) and M_k the number of slices of k dimensions the leaves can form (which slice:
per set of k dimensions, the product of their value counts, at most n). A child needs more
evidence than its parent by `2 log(M_k+1 / M_k)`, so when the data cannot tell them apart the
simpler explanation wins; a further root cause pays the same price as the first.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np

from python_checks.stats.model_selection import description_penalty


def layer_penalties(
    sizes: list[int], active_leaves: int, max_size: int, scale: float = 1.0
) -> list[float]:
    """The penalty of a slice of 1..max_size dimensions (increasing with the layer)."""
    n = max(active_leaves, 1)
    layers = min(max_size, len(sizes))
    penalties = []
    for size in range(1, layers + 1):
        names = sum(
            min(math.prod(sizes[d] for d in combo), n)
            for combo in combinations(range(len(sizes)), size)
        )
        choices = layers * max(names, 1)
        penalties.append(scale * description_penalty(choices, n))
    for k in range(1, len(penalties)):  # a finer layer never costs less than a coarser one
        penalties[k] = max(penalties[k], penalties[k - 1])
    return penalties


def pooled_counts(
    actual: np.ndarray, expected: np.ndarray, variance: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A slice's actual and expected values in units of its own dispersion (`phi = variance /
    expected` summed over its leaves): `A = V E / S`, `C = E^2 / S`; their ratio is the
    slice's factor `V / E`."""
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    variance = np.asarray(variance, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(variance > 0, expected / variance, 0.0)
    return actual * scale, expected * scale


def ripple_statistic(
    actual: np.ndarray,
    expected: np.ndarray,
    variance: np.ndarray,
    direction: str,
    family: str = "gaussian",
) -> np.ndarray:
    """The likelihood-ratio statistic of slices whose leaves move by one factor, from their
    sums of actual values V, expected values E and variances S: the factor is V / E (the
    estimating equation sum (v - theta e) = 0) and S the variance of V - E, whatever the
    leaves' own variances (a sandwich variance; Liang and Zeger 1986), so that a few leaves
    with a wild ratio do not carry the slice. Zero for slices moving against `direction`
    ("up", "down" or "both").

    family "gaussian": `(V - E)^2 / S`.
    family "poisson": the quasi-Poisson deviance `2 (A log(A / C) - (A - C))` of the pooled
      counts (`pooled_counts`), for counts: a few events where almost none were expected
      are not the many standard deviations the normal approximation would make of them. The
      two agree to second order.
    """
    a, c = pooled_counts(actual, expected, variance)
    with np.errstate(divide="ignore", invalid="ignore"):
        if family == "poisson":
            ratio = np.where((a > 0) & (c > 0), a / c, 1.0)
            statistic = np.where(
                c > 0, 2.0 * (np.where(a > 0, a * np.log(ratio), 0.0) - (a - c)), 0.0
            )
        elif family == "gaussian":
            statistic = np.where(c > 0, (a - c) ** 2 / c, 0.0)
        else:
            raise ValueError(f"family must be 'gaussian' or 'poisson', got {family!r}")
    statistic = np.maximum(statistic, 0.0)
    if direction == "up":
        statistic = np.where(a > c, statistic, 0.0)
    elif direction == "down":
        statistic = np.where(a < c, statistic, 0.0)
    return statistic
