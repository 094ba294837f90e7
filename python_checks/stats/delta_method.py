"""The delta method: the variance of a smooth function of estimated means.

For an estimate f(m) of means m with covariance C, Var f(m) ~ g' C g, with g the gradient
of f at m (Casella and Berger, Statistical Inference, 2nd ed., section 5.5.4). Metric
analytics uses it for ratio metrics and relative lifts (Deng, Knoblich and Lu, "Applying
the Delta Method in Metric Analytics", KDD 2018). Tests pin the ratio variance to
statsmodels' heteroskedasticity-robust regression and the quadratic form to statsmodels'
NonlinearDeltaCov.
"""

from __future__ import annotations

import numpy as np


def delta_variance(gradient: np.ndarray, covariance: np.ndarray) -> float:
    """g' C g: the first-order variance of f(m) given the gradient g of f and the
    covariance C of the estimated means m."""
    g = np.asarray(gradient, dtype=float)
    c = np.asarray(covariance, dtype=float)
    if c.shape != (g.size, g.size):
        raise ValueError(f"gradient of size {g.size} and covariance of shape {c.shape}")
    return float(g @ c @ g)


def ratio_unit_variance(
    mean_numerator: float,
    mean_denominator: float,
    variance_numerator: float,
    variance_denominator: float,
    covariance: float,
) -> float:
    """n times the variance of mean(y) / mean(x) over n units (so divide by n for the
    estimate's variance): (s_yy - 2 R s_xy + R^2 s_xx) / mean(x)^2 with R the ratio, the
    sample variance of the linearized unit values (y - R x) / mean(x).

    Edge case: a zero mean denominator has no ratio: ValueError."""
    if mean_denominator == 0:
        raise ValueError("the ratio's denominator has mean 0")
    ratio = mean_numerator / mean_denominator
    numerator = variance_numerator - 2 * ratio * covariance + ratio * ratio * variance_denominator
    return max(numerator, 0.0) / (mean_denominator * mean_denominator)
