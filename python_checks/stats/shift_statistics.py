"""Pure statistics for distribution-shift monitors: the population stability index (PSI),
quantile binning, and the KS and chi-square comparisons of two periods.

No warehouse access here: arrays and counts in, frozen dataclasses out. The tests pin PSI
against a hand-computed example and its properties, and the wrappers against scipy.
"""

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd
from scipy import stats

# Replaces an empty bin's share, so PSI stays finite when a category or bin appears in one
# period only. 1e-4 is small next to any share worth reporting (0.01%) yet keeps one new
# category from dominating PSI without bound: it contributes about p * ln(p / 1e-4).
PSI_EPSILON = 1e-4
DEFAULT_BINS = 10


@dataclass(frozen=True)
class ShiftStatistics:
    """A comparison of one column between a baseline and a current period.

    `statistic` is the KS distance D (numeric) or the chi-square statistic (categorical),
    `p_value` its p-value, `psi` the population stability index, `largest_move` the bin or
    category with the largest PSI term (with its baseline and current shares).
    """

    test: str
    statistic: float
    p_value: float
    psi: float
    n_baseline: int
    n_current: int
    largest_move: str
    baseline_share: float
    current_share: float


def population_stability_index(
    baseline_counts: np.ndarray, current_counts: np.ndarray, epsilon: float = PSI_EPSILON
) -> float:
    """PSI = sum_i (c_i - b_i) ln(c_i / b_i) over bins, with b and c the bin shares of the
    two periods and empty bins' shares raised to `epsilon`. Symmetric in its arguments,
    zero for identical shares."""
    return float(np.sum(psi_terms(baseline_counts, current_counts, epsilon)))


def psi_terms(
    baseline_counts: np.ndarray, current_counts: np.ndarray, epsilon: float = PSI_EPSILON
) -> np.ndarray:
    """Each bin's (non-negative) term of the PSI sum."""
    baseline_shares = _shares(baseline_counts, epsilon)
    current_shares = _shares(current_counts, epsilon)
    if baseline_shares.shape != current_shares.shape:
        raise ValueError(
            f"both periods need the same bins, got {len(baseline_shares)} and {len(current_shares)}"
        )
    return (current_shares - baseline_shares) * np.log(current_shares / baseline_shares)


def _shares(counts: np.ndarray, epsilon: float) -> np.ndarray:
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 1 or (counts < 0).any() or counts.sum() <= 0:
        raise ValueError(f"bin counts must be non-negative with a positive total, got {counts}")
    return np.maximum(counts / counts.sum(), epsilon)


def quantile_bin_edges(baseline: np.ndarray, bins: int = DEFAULT_BINS) -> np.ndarray:
    """Inner edges of `bins` quantile bins of the baseline; repeated edges (ties, e.g. a
    column that is mostly zero) are merged, so there may be fewer bins."""
    inner_quantiles = np.linspace(0, 1, bins + 1)[1:-1]
    return np.unique(np.quantile(np.asarray(baseline, dtype=float), inner_quantiles))


def bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts of values in the bins (-inf, e1], (e1, e2], ..., (ek, inf)."""
    bin_index = np.searchsorted(edges, np.asarray(values, dtype=float), side="left")
    return np.bincount(bin_index, minlength=len(edges) + 1)


def compare_numeric(
    baseline: np.ndarray, current: np.ndarray, bins: int = DEFAULT_BINS
) -> ShiftStatistics:
    """Two-sample KS test (scipy.stats.ks_2samp) and PSI over quantile bins of the baseline."""
    baseline = _finite(baseline, "baseline")
    current = _finite(current, "current")
    ks = stats.ks_2samp(baseline, current)
    edges = quantile_bin_edges(baseline, bins)
    baseline_counts = bin_counts(baseline, edges)
    current_counts = bin_counts(current, edges)
    labels = _bin_labels(edges)
    move = _largest_move(labels, baseline_counts, current_counts)
    return ShiftStatistics(
        test="ks",
        statistic=float(ks.statistic),
        p_value=float(ks.pvalue),
        psi=population_stability_index(baseline_counts, current_counts),
        n_baseline=len(baseline),
        n_current=len(current),
        **move,
    )


def _finite(values: np.ndarray, period: str) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        raise ValueError(f"the {period} period has no finite values to compare")
    return values


def _bin_labels(edges: np.ndarray) -> list[str]:
    bounds = [-np.inf, *edges, np.inf]
    return [f"({low:g}, {high:g}]" for low, high in pairwise(bounds)]


def compare_categorical(baseline: pd.Series, current: pd.Series) -> ShiftStatistics:
    """Chi-square test of homogeneity (scipy.stats.chi2_contingency, no continuity
    correction) on the 2 x k table of counts, and PSI over the categories.

    `baseline` and `current` are counts indexed by category; a category missing from one
    period counts zero there, and categories empty in both are dropped (they would have an
    expected count of zero)."""
    table = pd.concat([baseline, current], axis=1, keys=["baseline", "current"]).fillna(0)
    table = table[table.sum(axis=1) > 0]
    if (table.sum(axis=0) <= 0).any():
        raise ValueError("both periods need at least one counted row to compare category mixes")
    baseline_counts = table["baseline"].to_numpy(dtype=float)
    current_counts = table["current"].to_numpy(dtype=float)
    if len(table) < 2:
        statistic, p_value = 0.0, 1.0  # one category: the mix cannot change
    else:
        chi2 = stats.chi2_contingency(np.vstack([baseline_counts, current_counts]))
        statistic, p_value = float(chi2.statistic), float(chi2.pvalue)
    move = _largest_move([str(label) for label in table.index], baseline_counts, current_counts)
    return ShiftStatistics(
        test="chi_square",
        statistic=statistic,
        p_value=p_value,
        psi=population_stability_index(baseline_counts, current_counts),
        n_baseline=int(baseline_counts.sum()),
        n_current=int(current_counts.sum()),
        **move,
    )


def _largest_move(
    labels: list[str], baseline_counts: np.ndarray, current_counts: np.ndarray
) -> dict[str, str | float]:
    # PSI is a sum of one non-negative term per bin, so the bin with the largest term is
    # the one that moved the distribution most (a new category scores high even when its
    # share is small, which a plain share difference would miss).
    terms = psi_terms(baseline_counts, current_counts)
    largest = int(np.argmax(terms))
    return {
        "largest_move": labels[largest],
        "baseline_share": float(baseline_counts[largest] / np.sum(baseline_counts)),
        "current_share": float(current_counts[largest] / np.sum(current_counts)),
    }
