"""Instrumental variables: two-stage least squares through `linearmodels` (NCSA license).

An instrument moves the treatment (relevance) and reaches the outcome only through it
(exclusion), and is as good as random given the covariates. Then 2SLS estimates the
treatment's effect (with heterogeneous effects and a binary instrument: the compliers'
average effect, as in the fuzzy regression discontinuity, which is 2SLS within a window).

Diagnostic: the first stage. With one instrument, an F statistic below 10 (Staiger and
Stock 1997) is a weak instrument: 2SLS is then biased towards OLS and its intervals are
unreliable (`warn`). Exclusion cannot be tested with as many instruments as treatments; it
has to be argued.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from linearmodels.iv import IV2SLS

from python_checks.causal.estimate import (
    LEVEL,
    CausalEstimate,
    CausalInputError,
    normal_interval,
    numeric_column,
    require_columns,
)

WEAK_INSTRUMENT_F = 10.0
COVARIANCES = ("unadjusted", "robust")


def instrumental_variables(
    frame: pd.DataFrame,
    outcome: str,
    treatment: str,
    instruments: Sequence[str],
    covariates: Sequence[str] = (),
    cluster: str | None = None,
    covariance: str = "robust",
    level: float = LEVEL,
) -> CausalEstimate:
    """2SLS of `outcome` on `treatment` instrumented by `instruments`, with exogenous
    `covariates` and a constant. Errors: `unadjusted`, `robust` (heteroskedasticity) or
    clustered by `cluster`."""
    what = "instrumental variables"
    if not instruments:
        raise CausalInputError(f"{what}: name at least one instrument")
    require_columns(frame, [outcome, treatment, *instruments, *covariates, cluster], what)
    if covariance not in COVARIANCES:
        raise CausalInputError(f"{what}: covariance must be one of {COVARIANCES}")
    names = (outcome, treatment, *instruments, *covariates)
    columns = {c: numeric_column(frame, c, what) for c in names}
    data = pd.DataFrame(columns)
    exogenous = pd.concat(
        [pd.Series(1.0, index=data.index, name="const"), data[list(covariates)]], axis=1
    )
    model = IV2SLS(data[outcome], exogenous, data[[treatment]], data[list(instruments)])
    if cluster is not None:
        fit = model.fit(cov_type="clustered", clusters=pd.factorize(frame[cluster])[0])
    else:
        fit = model.fit(cov_type=covariance)
    estimate, se = float(fit.params[treatment]), float(fit.std_errors[treatment])
    low, high = normal_interval(estimate, se, level)
    first = fit.first_stage.diagnostics
    f_stat = float(first["f.stat"].iloc[0])
    partial_r2 = float(first["partial.rsquared"].iloc[0])
    if not np.isfinite(f_stat) or f_stat < WEAK_INSTRUMENT_F:
        verdict, note = "warn", f"weak first stage (F = {f_stat:.1f} < {WEAK_INSTRUMENT_F:g})"
    else:
        verdict, note = "pass", f"first stage F = {f_stat:.1f} (exclusion must be argued)"
    return CausalEstimate(
        estimator="iv_2sls",
        estimand="effect of the treatment (compliers' average with a binary instrument)",
        outcome=outcome,
        estimate=estimate,
        std_error=se,
        ci_low=low,
        ci_high=high,
        n_obs=int(fit.nobs),
        n_units=int(pd.Series(frame[cluster]).nunique()) if cluster else int(fit.nobs),
        n_treated=int(fit.nobs),
        sample=f"{int(fit.nobs):,} rows; instruments: {', '.join(instruments)}; "
        f"covariates: {', '.join(covariates) or 'none'}",
        assumption="the instruments move the treatment and reach the outcome only through it",
        verdict=verdict,
        verdict_note=note,
        diagnostics={"first_stage_f": f_stat, "first_stage_partial_r2": partial_r2},
        level=level,
    )
