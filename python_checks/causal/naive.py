"""The naive comparison: mean outcome of treated rows minus mean outcome of untreated rows.

It estimates the average effect on the treated only when treatment is as good as random
(a randomized experiment); when units choose treatment (creators enroll in the rewards
program, adopt a tool) it adds the selection bias E[Y(0) | treated] - E[Y(0) | untreated]
to the effect. It is reported so the size of that bias is visible next to the designs that
remove it.

The standard error is that of the OLS slope of y on a 0/1 treatment: `classical`
(homoskedastic, the pooled-variance two-sample t), `robust` (HC1) or, with `cluster`, one-way
cluster-robust (CR1, statsmodels), for panels where rows of one unit are correlated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from python_checks.causal.estimate import (
    LEVEL,
    CausalEstimate,
    CausalInputError,
    binary_column,
    normal_interval,
    numeric_column,
    require_columns,
)

STANDARD_ERRORS = ("classical", "robust")


def difference_in_means(
    frame: pd.DataFrame,
    outcome: str,
    treatment: str,
    cluster: str | None = None,
    std_error: str = "robust",
    level: float = LEVEL,
) -> CausalEstimate:
    """Mean of `outcome` where `treatment` is 1 minus where it is 0.

    `cluster` names the unit column for cluster-robust errors (it overrides `std_error`).
    The verdict is `none`: nothing in the data can show the selection bias this comparison
    carries, only a design that removes it."""
    what = "naive difference in means"
    require_columns(frame, [outcome, treatment, cluster], what)
    if std_error not in STANDARD_ERRORS:
        raise CausalInputError(f"{what}: std_error must be one of {STANDARD_ERRORS}")
    y = numeric_column(frame, outcome, what)
    d = binary_column(frame, treatment, what)
    if d.min() == d.max():
        raise CausalInputError(f"{what}: column {treatment!r} has only the value {d[0]}")
    design = sm.add_constant(d.astype(float))
    if cluster is not None:
        groups = pd.factorize(frame[cluster])[0]
        fit = sm.OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": groups})
        units = int(groups.max() + 1)
        treated_units = int(pd.Series(frame[cluster][d == 1]).nunique())
        se_label = f"clustered by {cluster}"
    else:
        cov = "nonrobust" if std_error == "classical" else "HC1"
        fit = sm.OLS(y, design).fit(cov_type=cov)
        units, treated_units = len(y), int(d.sum())
        se_label = std_error
    estimate, se = float(fit.params[1]), float(fit.bse[1])
    low, high = normal_interval(estimate, se, level)
    return CausalEstimate(
        estimator="naive",
        estimand="difference in means (ATT only if treatment is random)",
        outcome=outcome,
        estimate=estimate,
        std_error=se,
        ci_low=low,
        ci_high=high,
        n_obs=len(y),
        n_units=units,
        n_treated=treated_units,
        sample=f"{int(d.sum()):,} treated and {int((1 - d).sum()):,} untreated rows; "
        f"standard error {se_label}",
        assumption="treated and untreated would have had the same mean outcome without "
        "treatment (no selection)",
        verdict="none",
        verdict_note="no diagnostic: selection on unobservables is invisible to it",
        diagnostics={
            "mean_treated": float(np.mean(y[d == 1])),
            "mean_untreated": float(np.mean(y[d == 0])),
        },
        level=level,
    )
