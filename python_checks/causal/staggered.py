"""Staggered adoption: group-time average treatment effects (Callaway and Sant'Anna 2021).

Units are first treated in different periods (their cohort, or group g) and stay treated.
ATT(g, t) is the average effect in period t on the units first treated in g; each is
estimated by comparing g's change since the period before g with the change of a control
group over the same periods: the never-treated, or the not-yet-treated by t (which adds
the units treated later). With covariates the comparison is doubly robust (Sant'Anna and
Zhao 2020): consistent when either the propensity of being in g or the control group's
outcome change is correctly modelled. The ATT(g, t) are then aggregated:

- overall (`simple`): the average of the post-treatment ATT(g, t) weighted by group size,
  the average effect on the treated unit-periods of a balanced panel;
- by event time e = t - g (`dynamic`): an event-study curve; e < 0 are placebo periods.

The estimation is `moderndid` (MIT; its `att_gt` and `aggte` reproduce the R package
`did` on the published minimum-wage example, tests/python/test_causal_staggered.py); this
module maps any panel's columns onto it and returns our result types. The pre-trend test is
a joint Wald test that every pre-treatment event-time effect is zero (`event_time_pre_trend`);
moderndid's test over the pre-treatment ATT(g, t) cells is reported beside it when its
covariance is not singular.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from python_checks.causal.estimate import (
    LEVEL,
    MIN_TREATED_UNITS,
    CausalEstimate,
    CausalInputError,
    label,
    normal_interval,
    numeric_column,
    require_columns,
)

CONTROL_GROUPS = ("notyettreated", "nevertreated")
ESTIMATION_METHODS = ("dr", "ipw", "reg")
PRE_TREND_ALPHA = 0.05


@dataclass(frozen=True)
class EventTimeEffect:
    """The average effect e periods after treatment began (e < 0: a placebo period)."""

    event_time: int
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class GroupTimeEffect:
    """ATT(g, t) in the panel's own time values."""

    group: object
    time: object
    estimate: float
    std_error: float


@dataclass(frozen=True)
class StaggeredResult:
    """The overall ATT, the event-study curve and the group-time effects."""

    overall: CausalEstimate
    event_study: tuple[EventTimeEffect, ...]
    group_time: tuple[GroupTimeEffect, ...]
    pre_trend_wald: float
    pre_trend_p_value: float


def staggered_did(
    frame: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    covariates: Sequence[str] = (),
    control_group: str = "notyettreated",
    estimation: str = "dr",
    pre_trend_periods: int | None = None,
    level: float = LEVEL,
) -> StaggeredResult:
    """Group-time ATTs of a balanced panel and their aggregations.

    `time` holds ordered period values (integers or dates); `first_treated` the period a
    unit is first treated, missing for units never treated in the panel. Units treated in
    the first period have no pre-period and are dropped (as in `did`); `covariates` are
    time-invariant unit columns, taken from each unit's first row. The pre-trend test
    covers the `pre_trend_periods` event times before treatment (all when None): far from
    treatment an event time rests on the few late cohorts, and their near-singular
    covariance makes a joint test over every pre-period reject on noise alone.

    Without covariates the doubly robust, weighting and regression estimators give the same
    numbers (intercept-only models); moderndid's regression path is used, which skips
    fitting one intercept-only logit per cell."""
    what = "staggered difference-in-differences"
    require_columns(frame, [outcome, unit, time, first_treated, *covariates], what)
    if control_group not in CONTROL_GROUPS:
        raise CausalInputError(f"{what}: control_group must be one of {CONTROL_GROUPS}")
    if estimation not in ESTIMATION_METHODS:
        raise CausalInputError(f"{what}: estimation must be one of {ESTIMATION_METHODS}")
    data, periods = _prepared(frame, outcome, unit, time, first_treated, covariates, what)
    import moderndid  # deferred: it loads polars (~1 s), needed by this estimator alone

    formula = "~ " + " + ".join(f"x{i}" for i in range(len(covariates))) if covariates else None
    method = estimation if covariates else "reg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = moderndid.att_gt(
            data,
            yname="y",
            tname="t",
            idname="id",
            gname="g",
            xformla=formula,
            est_method=method,
            control_group=control_group,
            alp=1 - level,
            boot=False,
            cband=False,
            panel=True,
        )
        simple = moderndid.aggte(result, type="simple", alp=1 - level)
        dynamic = moderndid.aggte(result, type="dynamic", alp=1 - level)
    estimate, se = float(simple.overall_att), float(simple.overall_se)
    low, high = normal_interval(estimate, se, level)
    event_study = tuple(
        EventTimeEffect(int(e), float(a), float(s), *normal_interval(float(a), float(s), level))
        for e, a, s in zip(
            dynamic.event_times, dynamic.att_by_event, dynamic.se_by_event, strict=True
        )
    )
    group_time = tuple(
        GroupTimeEffect(periods[int(g) - 1], periods[int(t) - 1], float(a), float(s))
        for g, t, a, s in zip(result.groups, result.times, result.att_gt, result.se_gt, strict=True)
    )
    wald, df, p_value = event_time_pre_trend(
        np.asarray(dynamic.event_times),
        np.asarray(dynamic.att_by_event),
        np.asarray(dynamic.influence_func),
        pre_trend_periods,
    )
    cells_p = float(result.wald_pvalue) if result.wald_pvalue is not None else float("nan")
    treated_units = int((data.drop_duplicates("id")["g"] > 0).sum())
    units = data["id"].nunique()
    if not np.isfinite(p_value):
        verdict, note = "warn", "no pre-treatment periods to test"
    elif p_value < PRE_TREND_ALPHA:
        verdict, note = "fail", f"pre-treatment effects differ from 0 (p = {p_value:.3g})"
    else:
        verdict, note = "pass", f"no pre-trend detected (p = {p_value:.2f})"
    if treated_units < MIN_TREATED_UNITS:
        verdict = "warn"
        note = f"only {treated_units} treated units: the pre-trend test is unreliable; {note}"
    overall = CausalEstimate(
        estimator="callaway_santanna",
        estimand="ATT over treated unit-periods (group-time effects weighted by group size)",
        outcome=outcome,
        estimate=estimate,
        std_error=se,
        ci_low=low,
        ci_high=high,
        n_obs=len(data),
        n_units=units,
        n_treated=treated_units,
        sample=f"{units:,} units x {len(periods):,} periods; {treated_units:,} treated in "
        f"{data.loc[data['g'] > 0, 'g'].nunique():,} cohorts; control: {control_group}; "
        f"estimation: {estimation}",
        assumption="parallel trends between each cohort and the "
        + ("not-yet-treated" if control_group == "notyettreated" else "never-treated")
        + " (conditional on the covariates) and no anticipation",
        verdict=verdict,
        verdict_note=note,
        diagnostics={
            "pre_trend_wald": wald,
            "pre_trend_df": df,
            "pre_trend_p_value": p_value,
            "pre_trend_cells_p_value": cells_p,
        },
        level=level,
    )
    return StaggeredResult(overall, event_study, group_time, wald, p_value)


def event_time_pre_trend(
    event_times: np.ndarray,
    estimates: np.ndarray,
    influence: np.ndarray,
    periods: int | None = None,
) -> tuple[float, int, float]:
    """Joint Wald test that the pre-treatment event-time effects (-periods <= e < 0, every
    e < 0 when periods is None) are zero, with
    their covariance from the aggregation's influence functions (n x events): V = IF'IF/n^2.
    A generalized inverse and the covariance's rank keep it defined when pre-period cells
    are degenerate (a cohort of one unit), where `did`'s cell-level test is not returned.
    (statistic, degrees of freedom, p-value); NaN without pre-treatment periods."""
    pre = (event_times < 0) & (event_times >= -(periods or len(event_times)))
    if not pre.any() or influence.ndim != 2:
        return float("nan"), 0, float("nan")
    n = influence.shape[0]
    cov = influence[:, pre].T @ influence[:, pre] / n**2
    rank = int(np.linalg.matrix_rank(cov))
    if rank == 0:
        return float("nan"), 0, float("nan")
    statistic = float(estimates[pre] @ np.linalg.pinv(cov) @ estimates[pre])
    return statistic, rank, float(stats.chi2.sf(statistic, rank))


def _prepared(
    frame: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    covariates: Sequence[str],
    what: str,
) -> tuple[pd.DataFrame, list]:
    """moderndid's layout: integer periods 1..T, g the first treated period (0 never)."""
    periods = sorted(frame[time].unique())
    if pd.api.types.is_datetime64_any_dtype(frame[time]):
        first = pd.to_datetime(frame[first_treated])
    else:
        first = frame[first_treated]
    index = {value: position + 1 for position, value in enumerate(periods)}
    y = numeric_column(frame, outcome, what)
    g = np.array([0 if pd.isna(value) else index.get(value, -1) for value in first], dtype=np.int64)
    outside = (g == -1) & first.notna().to_numpy()
    after_panel = outside & (first.to_numpy() > periods[-1])
    g[after_panel] = 0  # treated after the panel ends: never treated within it
    if (g == -1).any():
        row = frame.index[int(np.flatnonzero(g == -1)[0])]
        raise CausalInputError(
            f"{what}: {first_treated} at row {label(row)} is not one of the panel's {time} values"
        )
    data = pd.DataFrame(
        {
            "id": pd.factorize(frame[unit])[0] + 1,
            "t": frame[time].map(index).to_numpy(),
            "y": y,
            "g": g,
        }
    )
    for position, covariate in enumerate(covariates):
        data[f"x{position}"] = numeric_column(frame, covariate, what)
    counts = data.groupby("id")["t"].nunique()
    if (counts != len(periods)).any():
        short = counts[counts != len(periods)].index[0]
        name = frame[unit].iloc[int(np.flatnonzero(data["id"].to_numpy() == short)[0])]
        raise CausalInputError(
            f"{what}: the panel must be balanced; {unit} {label(name)} has "
            f"{counts[short]} of {len(periods)} periods"
        )
    if (data.groupby("id")["g"].nunique() > 1).any():
        raise CausalInputError(f"{what}: {first_treated} must be constant within each {unit}")
    data = data[data["g"] != 1]  # treated from the first period: no pre-period
    if not (data["g"] > 0).any():
        raise CausalInputError(f"{what}: no unit is treated after the first period")
    return data.sort_values(["id", "t"]).reset_index(drop=True), periods
