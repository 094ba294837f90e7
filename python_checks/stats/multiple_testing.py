"""Adjusting the p-values of many tests run together."""

from collections.abc import Sequence

import numpy as np

# Our names for the adjustments, and statsmodels' names for them.
ADJUSTMENTS = {"benjamini-hochberg": "fdr_bh", "holm": "holm"}


def adjust_p_values(
    p_values: Sequence[float] | np.ndarray, method: str = "benjamini-hochberg"
) -> np.ndarray:
    """Adjusted p-values by `method` (a key of ADJUSTMENTS): Benjamini-Hochberg controls
    the false discovery rate, Holm the family-wise error rate. NaN p-values stay NaN and
    do not count towards the number of hypotheses."""
    # statsmodels takes a second to import: only when there is something to adjust.
    from statsmodels.stats.multitest import multipletests

    if method not in ADJUSTMENTS:
        raise ValueError(f"unknown adjustment {method!r}: one of {', '.join(ADJUSTMENTS)}")
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        adjusted[tested] = multipletests(p[tested], method=ADJUSTMENTS[method])[1]
    return adjusted


def benjamini_hochberg(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN p-values stay NaN and do not
    count towards the number of hypotheses."""
    return adjust_p_values(p_values, "benjamini-hochberg")
