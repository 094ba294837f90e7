"""Reference methods localization is measured against, on files of one period of failed and
total sessions (format c): one expected rate for every leaf (the project's first method),
and a one-dimension Adtributor (Bhagwan et al., "Adtributor: Revenue debugging in
advertising systems", NSDI 2014)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from python_checks.diagnosis.leaf_columns import LeafColumns
from python_checks.diagnosis.localization import (
    LocalizationOptions,
    LocalizationResult,
    localize,
    surprise,
)
from python_checks.stats.robust import weighted_median

# Without a baseline, slices differ in their normal rate too: a further root cause must be
# stronger than with one. Tuned on generator seed 1 (docs/python_checks.md).
ONE_RATE_OPTIONS = LocalizationOptions(min_gain=0.2, min_log_change=0.7)


def localize_with_one_rate(
    frame: pd.DataFrame,
    dimensions: Sequence[str],
    failed: str,
    total: str,
    iterations: int = 3,
) -> LocalizationResult:
    """Localization of format (c) with one expected rate for every leaf (the project's
    first method for files without a baseline, kept to measure the main-effects method
    against; docs/python_checks.md).

    The expected failure rate is one rate for every leaf: what the leaves outside the root
    causes fail at. It starts at the volume-weighted median leaf rate (robust while the
    anomaly covers less than half of the sessions) and is re-estimated from the leaves
    outside the root causes found, until the root causes stop changing.
    """
    columns = LeafColumns(actual=failed, expected="_expected", actual_denominator=total)
    f = frame[failed].to_numpy(dtype=float)
    n = frame[total].to_numpy(dtype=float)
    rate = _median_rate(f, n)
    work = frame.copy()
    result, previous = None, None
    for _ in range(max(iterations, 1)):
        work["_expected"] = rate * n
        result = localize(work, dimensions, columns, ONE_RATE_OPTIONS)
        if result.root_causes == previous:
            break
        previous = result.root_causes
        outside = np.ones(len(work), dtype=bool)
        for cause in result.root_causes:
            inside = np.ones(len(work), dtype=bool)
            for dim, value in cause.items():
                inside &= (work[dim] == value).to_numpy()
            outside &= ~inside
        if n[outside].sum() <= 0:
            break
        rate = float(f[outside].sum() / n[outside].sum())
    assert result is not None
    return result


def _median_rate(failed: np.ndarray, total: np.ndarray) -> float:
    seen = total > 0
    return weighted_median(failed[seen] / total[seen], total[seen]) if seen.any() else 0.0


def adtributor(
    leaves: pd.DataFrame,
    dims: Sequence[str],
    min_element_ep: float = 0.1,
    min_total_ep: float = 0.67,
) -> Sequence[dict[str, object]]:
    """Adtributor (Bhagwan et al. 2014) on one dimension at a time, expected failures at the
    volume-weighted median rate: per dimension, the values in decreasing surprise with
    explanatory power >= min_element_ep until they add up to min_total_ep; the answer is
    the dimension whose chosen values have the largest total surprise."""
    f = leaves["failed"].to_numpy(dtype=float)
    n = leaves["total"].to_numpy(dtype=float)
    expected = _median_rate(f, n) * n
    deviation = f.sum() - expected.sum()
    best: tuple[float, list[dict[str, object]]] = (-1.0, [])
    for dim in dims:
        grouped = pd.DataFrame({"v": f, "e": expected, "d": leaves[dim]}).groupby("d").sum()
        ep = (grouped["v"] - grouped["e"]) / deviation if deviation else grouped["v"] * 0
        s = surprise(
            (grouped["e"] / expected.sum()).to_numpy(), (grouped["v"] / f.sum()).to_numpy()
        )
        order = np.argsort(-s)
        chosen, explained, total_surprise = [], 0.0, 0.0
        for i in order:
            if ep.iloc[i] < min_element_ep:
                continue
            chosen.append({dim: grouped.index[i]})
            explained += ep.iloc[i]
            total_surprise += s[i]
            if explained >= min_total_ep:
                break
        if explained >= min_total_ep and total_surprise > best[0]:
            best = (total_surprise, chosen)
    return best[1]
