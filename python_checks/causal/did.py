"""Difference-in-differences with two groups and two periods, and two-way fixed effects.

`two_group_did`: treated group x post period. The coefficient on the interaction of the
regression y ~ group + post + group x post is the difference of the four cell means,
(treated post - treated pre) - (control post - control pre); standard errors are
cluster-robust by unit (CR1, statsmodels), because a unit's rows are correlated. The
diagnostic is a pre-trend test: on the pre-period rows, y ~ C(time) + group x C(time), a
joint Wald test that the group's differences are the same in every pre-period (parallel
pre-trends). A rejection (p < 0.05) is a `fail`.

`two_way_fixed_effects`: y_it = a_i + l_t + b D_it + e_it on a panel where D switches on at
different times (linearmodels' PanelOLS with entity and time effects, errors clustered by
entity). With staggered adoption and effects that vary across cohorts or grow with time,
b is a weighted average of cell effects in which some weights are negative (de Chaisemartin
and D'Haultfoeuille 2020; Goodman-Bacon 2021): the diagnostic reports those weights (the
residuals of D on both fixed effects, over the treated rows) and warns when some are
negative. `python_checks.causal.staggered` gives the estimator that avoids the problem.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from linearmodels.panel import PanelOLS
from scipy import stats

from python_checks.causal.estimate import (
    LEVEL,
    MIN_TREATED_UNITS,
    CausalEstimate,
    CausalInputError,
    binary_column,
    label,
    normal_interval,
    numeric_column,
    require_columns,
)

PRE_TREND_ALPHA = 0.05
# Alternating projections stop when the demeaned treatment moves by less than this.
DEMEAN_TOLERANCE = 1e-10
DEMEAN_MAX_ITERATIONS = 10_000


def two_group_did(
    frame: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treated_group: str,
    post: str,
    level: float = LEVEL,
) -> CausalEstimate:
    """(treated post - treated pre) - (control post - control pre), errors clustered by
    `unit`. `treated_group` and `post` are 0/1 columns; `time` orders the pre-period rows
    for the pre-trend test."""
    what = "two-group difference-in-differences"
    require_columns(frame, [outcome, unit, time, treated_group, post], what)
    y = numeric_column(frame, outcome, what)
    group = binary_column(frame, treated_group, what)
    after = binary_column(frame, post, what)
    for g in (0, 1):
        for p in (0, 1):
            if not ((group == g) & (after == p)).any():
                raise CausalInputError(
                    f"{what}: no rows with {treated_group}={g} and {post}={p}: "
                    "all four group x period cells need data"
                )
    units = pd.factorize(frame[unit])[0]
    design = np.column_stack([np.ones(len(y)), group, after, group * after])
    fit = sm.OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": units})
    estimate, se = float(fit.params[3]), float(fit.bse[3])
    low, high = normal_interval(estimate, se, level)
    pre = after == 0
    trend = pre_trend_test(y[pre], group[pre], frame[time].to_numpy()[pre], units[pre])
    verdict, note = _pre_trend_verdict(trend)
    treated_units = int(pd.Series(units[group == 1]).nunique())
    if treated_units < MIN_TREATED_UNITS:
        verdict, note = "warn", few_treated_note(treated_units)
    return CausalEstimate(
        estimator="did_2x2",
        estimand="ATT of the treated group in the post period",
        outcome=outcome,
        estimate=estimate,
        std_error=se,
        ci_low=low,
        ci_high=high,
        n_obs=len(y),
        n_units=int(units.max() + 1),
        n_treated=treated_units,
        sample=f"{treated_units:,} treated and "
        f"{int(pd.Series(units[group == 0]).nunique()):,} control units; "
        f"{int(pre.sum()):,} pre and {int((~pre).sum()):,} post rows",
        assumption="parallel trends: without treatment the treated group's mean would have "
        "moved like the control group's",
        verdict=verdict,
        verdict_note=note,
        diagnostics={
            "pre_trend_wald": trend[0],
            "pre_trend_df": trend[1],
            "pre_trend_p_value": trend[2],
        },
        level=level,
    )


def pre_trend_test(
    y: np.ndarray, group: np.ndarray, time: np.ndarray, clusters: np.ndarray
) -> tuple[float, int, float]:
    """Joint Wald test (cluster-robust) that group x period interactions are zero over the
    pre-period: (statistic, degrees of freedom, p-value); NaN with one pre-period."""
    periods = np.unique(time)
    if len(periods) < 2:
        return float("nan"), 0, float("nan")
    dummies = (time[:, None] == periods[None, 1:]).astype(float)
    design = np.column_stack([np.ones(len(y)), dummies, group, group[:, None] * dummies])
    fit = sm.OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": clusters})
    k = len(periods) - 1
    index = np.arange(design.shape[1] - k, design.shape[1])
    beta = fit.params[index]
    cov = fit.cov_params()[np.ix_(index, index)]
    statistic = float(beta @ np.linalg.pinv(cov) @ beta)
    rank = int(np.linalg.matrix_rank(cov))
    return statistic, rank, float(stats.chi2.sf(statistic, rank))


def few_treated_note(treated_units: int) -> str:
    return (
        f"only {treated_units} treated units: clustered errors and the pre-trend test are "
        "unreliable"
    )


def _pre_trend_verdict(trend: tuple[float, int, float]) -> tuple[str, str]:
    statistic, df, p_value = trend
    if not df:
        return "warn", "one pre-period: parallel trends cannot be checked"
    if p_value < PRE_TREND_ALPHA:
        return "fail", f"pre-trends differ (Wald {statistic:.1f} on {df} df, p = {p_value:.3g})"
    return "pass", f"no pre-trend detected (p = {p_value:.2f})"


def two_way_fixed_effects(
    frame: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treatment: str,
    level: float = LEVEL,
) -> CausalEstimate:
    """b of y_it = a_i + l_t + b D_it + e_it (PanelOLS, errors clustered by unit), with the
    implicit weights of the treated rows as its diagnostic."""
    what = "two-way fixed effects"
    require_columns(frame, [outcome, unit, time, treatment], what)
    y = numeric_column(frame, outcome, what)
    d = binary_column(frame, treatment, what)
    if d.min() == d.max():
        raise CausalInputError(f"{what}: column {treatment!r} never varies")
    duplicated = frame.duplicated([unit, time])
    if duplicated.any():
        row = frame.index[int(np.flatnonzero(duplicated.to_numpy())[0])]
        raise CausalInputError(
            f"{what}: more than one row for one {unit} and {time} (row {label(row)})"
        )
    units = pd.factorize(frame[unit])[0]
    times = pd.factorize(frame[time], sort=True)[0]
    panel = pd.DataFrame(
        {"y": y, "d": d.astype(float)}, index=pd.MultiIndex.from_arrays([units, times])
    )
    fit = PanelOLS(panel["y"], panel[["d"]], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True
    )
    estimate, se = float(fit.params["d"]), float(fit.std_errors["d"])
    low, high = normal_interval(estimate, se, level)
    weights = treated_row_weights(d.astype(float), units, times)
    negative = weights < 0
    verdict, note = (
        (
            "warn",
            f"{negative.mean():.0%} of treated rows carry negative weight "
            f"(sum {weights[negative].sum():.2f}): biased if effects vary by cohort or time",
        )
        if negative.any()
        else ("pass", "no treated row carries a negative weight")
    )
    return CausalEstimate(
        estimator="twfe",
        estimand="a weighted average of treated-row effects (the ATT if effects are equal)",
        outcome=outcome,
        estimate=estimate,
        std_error=se,
        ci_low=low,
        ci_high=high,
        n_obs=len(y),
        n_units=int(units.max() + 1),
        n_treated=int(pd.Series(units[d == 1]).nunique()),
        sample=f"{int(units.max() + 1):,} units x {int(times.max() + 1):,} periods, "
        f"{int(d.sum()):,} treated rows",
        assumption="parallel trends and one effect for every cohort and every period since "
        "treatment",
        verdict=verdict,
        verdict_note=note,
        diagnostics={
            "negative_weight_share": float(negative.mean()),
            "negative_weight_sum": float(weights[negative].sum()),
        },
        level=level,
    )


def treated_row_weights(d: np.ndarray, units: np.ndarray, times: np.ndarray) -> np.ndarray:
    """The weight of each treated row in the TWFE coefficient: b = sum_w w_it Y_it-effect
    with w_it = e_it / sum_{D=1} e_it and e the residual of D on unit and time effects
    (de Chaisemartin and D'Haultfoeuille 2020, Theorem 1). Alternating projections handle
    unbalanced panels."""
    residual = d.copy()
    for _ in range(DEMEAN_MAX_ITERATIONS):
        before = residual.copy()
        for codes in (units, times):
            means = np.bincount(codes, weights=residual) / np.bincount(codes)
            residual = residual - means[codes]
        if np.max(np.abs(residual - before)) < DEMEAN_TOLERANCE:
            break
    treated = d == 1
    return residual[treated] / residual[treated].sum()
