"""Robust location and scale: the normalised median absolute deviation and its small-sample
correction, and a weighted median."""

import numpy as np

# 1 / Phi^-1(3/4): the MAD of a normal sample times this estimates its standard deviation.
MAD_TO_SD = 1.4826
# The median of a chi-square variable with one degree of freedom: a squared standard normal
# residual's median, the reference for a robust overdispersion factor.
CHI2_1_MEDIAN = 0.4549

# Croux and Rousseeuw (1992), Table: the factor that makes 1.4826 * MAD unbiased for the
# standard deviation of a normal sample of n = 2 .. 9 values; n / (n - 0.8) beyond.
_MAD_FACTORS_SMALL_N = {
    2: 1.196,
    3: 1.495,
    4: 1.363,
    5: 1.206,
    6: 1.200,
    7: 1.140,
    8: 1.129,
    9: 1.107,
}


def mad_small_sample_factor(sample_size: np.ndarray) -> np.ndarray:
    """Small-sample correction of the normalised MAD (NaN below two values)."""
    n = np.asarray(sample_size, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n > 9, n / (n - 0.8), np.nan)
    for size, value in _MAD_FACTORS_SMALL_N.items():
        factor = np.where(n == size, value, factor)
    return factor


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value below and above which half of the total weight lies (the lower one on a
    tie). `weights` must be non-negative with a positive sum."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
