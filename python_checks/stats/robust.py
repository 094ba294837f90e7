"""Robust location and scale: the normalised median absolute deviation and its small-sample
correction, a weighted median, and row-wise medians and quantiles that ignore NaN."""

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


def _sorted_rows(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row sorted ascending (NaN last) and its count of non-NaN values."""
    block = np.asarray(block, dtype=float)
    return np.sort(block, axis=1), (~np.isnan(block)).sum(axis=1)


def row_nanmedian(block: np.ndarray) -> np.ndarray:
    """Median of each row of a 2-D array ignoring NaN; NaN (without a warning) for a row with
    no value. The mean of the two middle values, as np.nanmedian computes it."""
    ordered, n = _sorted_rows(block)
    if ordered.shape[1] == 0:
        return np.full(ordered.shape[0], np.nan)
    high = n // 2
    low = np.where(n % 2 == 1, high, high - 1)
    pick = np.clip(np.stack([low, high], axis=1), 0, None)
    low_high = np.take_along_axis(ordered, pick, axis=1)
    with np.errstate(invalid="ignore"):
        median = (low_high[:, 0] + low_high[:, 1]) / 2
    return np.where(n > 0, median, np.nan)


def row_nanquantile(block: np.ndarray, q: float) -> np.ndarray:
    """The q-quantile of each row of a 2-D array ignoring NaN; NaN (without a warning) for a
    row with no value. np.nanquantile's default method 'linear' (Hyndman and Fan 1996, type
    7): the sorted values interpolated at position q (n - 1)."""
    ordered, n = _sorted_rows(block)
    if ordered.shape[1] == 0:
        return np.full(ordered.shape[0], np.nan)
    position = (n - 1) * float(q)
    below = np.clip(np.floor(position), 0, None).astype(np.intp)
    above = np.minimum(below + 1, np.clip(n - 1, 0, None))
    a = np.take_along_axis(ordered, below[:, None], axis=1)[:, 0]
    b = np.take_along_axis(ordered, above[:, None], axis=1)[:, 0]
    t = position - below
    # numpy's lerp, switching ends at t = 0.5: bit-for-bit np.nanquantile, NaN next to an
    # infinite value included (a forecast's standardised errors can be infinite).
    with np.errstate(invalid="ignore"):
        difference = b - a
        value = np.where(t >= 0.5, b - difference * (1 - t), a + difference * t)
    return np.where(n > 0, value, np.nan)
