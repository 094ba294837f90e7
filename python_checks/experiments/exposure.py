"""How concentrated exposure is: the Gini coefficient and the top creators' share of
impressions, for comparing the arms of a ranking experiment (descriptive; the readout's
intervals come from the per-viewer share metrics)."""

from __future__ import annotations

import math

import numpy as np

# The top 1 % of creators, rounded up so a small catalogue still has a top set of one.
TOP_FRACTION = 0.01


def gini(counts: np.ndarray) -> float:
    """Gini coefficient of non-negative counts: sum_i (2i - n - 1) x_(i) / (n sum x) over the
    ascending order statistics (0: all equal; (n - 1) / n: one holder of everything).
    Edge cases: no counts or a zero total give NaN."""
    x = np.sort(np.asarray(counts, dtype=float))
    n = x.size
    if n == 0 or x.sum() <= 0:
        return math.nan
    if (x < 0).any():
        raise ValueError("the Gini coefficient needs non-negative counts")
    ranks = np.arange(1, n + 1)
    return float(np.sum((2 * ranks - n - 1) * x) / (n * x.sum()))


def top_share(counts: np.ndarray, fraction: float = TOP_FRACTION) -> float:
    """Share of the total held by the ceil(fraction * n) largest counts."""
    x = np.sort(np.asarray(counts, dtype=float))[::-1]
    if x.size == 0 or x.sum() <= 0:
        return math.nan
    k = max(1, math.ceil(fraction * x.size))
    return float(x[:k].sum() / x.sum())
