"""Selection on observables: propensity-score weighting, standardization, doubly robust
estimation and matching, with covariate balance and overlap diagnostics.

All rest on two assumptions: no unmeasured confounding (given the covariates, treatment is
as good as random) and overlap (every treated unit has comparable untreated units; for the
ATE, the other way round too). The estimands are the average effect on the treated (ATT)
or on everyone (ATE).

- `inverse_probability_weighting`: a logistic propensity score p(X); the ATT weights the
  untreated by p / (1 - p), the ATE weights the treated by 1 / p and the untreated by
  1 / (1 - p). Weights are normalized within each group (Hajek), which keeps the estimate a
  weighted mean; `normalized=False` gives the Horvitz-Thompson form.
- `standardization` (the g-formula, regression adjustment): a linear outcome model per
  treatment group, averaged over the treated (ATT) or everyone (ATE).
- `doubly_robust` (AIPW): the outcome model corrected by the weighted residuals; consistent
  when either model is right. For the ATT this is Sant'Anna and Zhao's (2020) estimator
  with the pre-period outcome set to zero.
- `nearest_neighbor_matching`: each treated unit matched to its nearest untreated unit (with
  replacement) in Mahalanobis distance over the covariates; ATT with Abadie and Imbens'
  (2006) standard error.

Standard errors come from influence functions. For weighting and standardization they
include the estimation of the propensity or outcome model (M-estimation; they equal
`moderndid`'s `std_ipw_did_panel` and `reg_did_panel`, tests/python/test_causal_propensity.py).
For the doubly robust estimator the influence function is the orthogonal score, whose
variance does not depend on the nuisance models' estimation when both are right.

Diagnostics (`balance_table`, `overlap_diagnostics`): standardized mean differences (SMD)
of each covariate before and after weighting, with the unweighted pooled standard deviation
as the scale (so before and after are comparable), and the overlap of the propensity
scores. Verdict: `fail` when over OVERLAP_FAIL_SHARE of the treated lie outside the
untreated units' propensity range (or, for the ATE, the other way round), `warn` when a
covariate's |SMD| after weighting exceeds SMD_WARN or one unit carries over MAX_WEIGHT_SHARE
of its group's weight, else `pass`. Balance on the covariates says nothing about a
confounder that is not among them.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.spatial import cKDTree

from python_checks.causal.estimate import (
    LEVEL,
    CausalEstimate,
    CausalInputError,
    binary_column,
    normal_interval,
    numeric_column,
    require_columns,
)

ESTIMANDS = ("ATT", "ATE")
# |SMD| below 0.1 is the usual threshold for "balanced" (Austin 2009; Stuart 2010).
SMD_WARN = 0.1
# More than 10 % of the treated without comparable untreated units: the ATT is mostly
# extrapolation.
OVERLAP_FAIL_SHARE = 0.10
# One unit carrying more than 10 % of its group's weight makes the estimate hinge on it.
MAX_WEIGHT_SHARE = 0.10
ASSUMPTION = "no unmeasured confounding given the covariates, and overlap"


@dataclass(frozen=True)
class Balance:
    """One covariate's standardized mean difference before and after weighting."""

    covariate: str
    mean_treated: float
    mean_untreated: float
    mean_untreated_weighted: float
    smd_before: float
    smd_after: float


@dataclass(frozen=True)
class Overlap:
    """How well the propensity scores of the two groups overlap."""

    treated_min: float
    treated_max: float
    untreated_min: float
    untreated_max: float
    treated_outside_share: float  # treated beyond the untreated units' range
    untreated_outside_share: float  # untreated beyond the treated units' range
    effective_untreated: float  # (sum w)^2 / sum w^2 of the weighted untreated
    max_weight_share: float  # the largest single weight over its group's total


@dataclass(frozen=True)
class _Data:
    y: np.ndarray
    d: np.ndarray
    x: np.ndarray  # covariates, standardized, with a constant first
    names: tuple[str, ...]
    raw: np.ndarray  # covariates as given


def _data(
    frame: pd.DataFrame, outcome: str | None, treatment: str, covariates: Sequence[str], what: str
) -> _Data:
    if not covariates:
        raise CausalInputError(f"{what}: name at least one covariate")
    require_columns(frame, [outcome, treatment, *covariates], what)
    d = binary_column(frame, treatment, what)
    if d.min() == d.max():
        raise CausalInputError(f"{what}: column {treatment!r} has only the value {d[0]}")
    raw = np.column_stack([numeric_column(frame, c, what) for c in covariates])
    sd = raw.std(axis=0)
    constant = sd == 0
    if constant.any():
        name = covariates[int(np.flatnonzero(constant)[0])]
        raise CausalInputError(f"{what}: covariate {name!r} is constant")
    x = np.column_stack([np.ones(len(d)), (raw - raw.mean(axis=0)) / sd])
    y = numeric_column(frame, outcome, what) if outcome is not None else np.zeros(len(d))
    return _Data(y, d, x, tuple(covariates), raw)


def propensity_scores(frame: pd.DataFrame, treatment: str, covariates: Sequence[str]) -> np.ndarray:
    """P(treated | covariates) from a logistic regression (covariates standardized first,
    which leaves the fitted probabilities unchanged and helps convergence)."""
    data = _data(frame, None, treatment, covariates, "propensity score")
    return _logit(data, "propensity score")[0]


def _logit(data: _Data, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Fitted probabilities and the logit's influence function (n x k) for its coefficients."""
    try:
        with warnings.catch_warnings():
            # Separation or non-convergence shows in the overlap diagnostics (propensities
            # at 0 or 1), which judge the estimate; the warning itself would only be noise.
            warnings.simplefilter("ignore")
            fit = sm.Logit(data.d, data.x).fit(method="newton", maxiter=200, disp=False)
    except np.linalg.LinAlgError:
        raise CausalInputError(f"{what}: the covariates are collinear") from None
    p = np.clip(fit.predict(data.x), 1e-12, 1 - 1e-12)
    hessian = (data.x * (p * (1 - p))[:, None]).T @ data.x / len(p)
    influence = (data.x * (data.d - p)[:, None]) @ np.linalg.pinv(hessian)
    return p, influence


def _estimate(
    estimator: str,
    estimand: str,
    outcome: str,
    value: float,
    influence: np.ndarray,
    data: _Data,
    verdict: tuple[str, str],
    diagnostics: dict[str, float | str],
    level: float,
) -> CausalEstimate:
    n = len(influence)
    se = float(np.sqrt(np.sum((influence - influence.mean()) ** 2)) / n)
    low, high = normal_interval(value, se, level)
    return CausalEstimate(
        estimator=estimator,
        estimand=estimand,
        outcome=outcome,
        estimate=float(value),
        std_error=se,
        ci_low=low,
        ci_high=high,
        n_obs=n,
        n_units=n,
        n_treated=int(data.d.sum()),
        sample=f"{int(data.d.sum()):,} treated and {int((1 - data.d).sum()):,} untreated "
        f"units; covariates: {', '.join(data.names)}",
        assumption=ASSUMPTION,
        verdict=verdict[0],
        verdict_note=verdict[1],
        diagnostics=diagnostics,
        level=level,
    )


def _check_estimand(estimand: str, what: str) -> None:
    if estimand not in ESTIMANDS:
        raise CausalInputError(f"{what}: estimand must be one of {ESTIMANDS}, got {estimand!r}")


def _weights(p: np.ndarray, d: np.ndarray, estimand: str) -> np.ndarray:
    """ATT: 1 for the treated, p/(1-p) for the untreated; ATE: 1/p and 1/(1-p)."""
    if estimand == "ATT":
        return np.where(d == 1, 1.0, p / (1 - p))
    return np.where(d == 1, 1 / p, 1 / (1 - p))


def _hajek(
    y: np.ndarray, a: np.ndarray, w: np.ndarray, dw_dbeta: np.ndarray, logit_if: np.ndarray
) -> tuple[float, np.ndarray]:
    """mu = E[a w y] / E[a w] over the group a (0/1) and its influence function, including
    the propensity model's estimation through dw/dbeta (n x k)."""
    mean_aw = np.mean(a * w)
    mu = np.mean(a * w * y) / mean_aw
    influence = a * w * (y - mu) / mean_aw
    gradient = np.mean((a * (y - mu))[:, None] * dw_dbeta, axis=0) / mean_aw
    return float(mu), influence + logit_if @ gradient


def inverse_probability_weighting(
    frame: pd.DataFrame,
    outcome: str,
    treatment: str,
    covariates: Sequence[str],
    estimand: str = "ATT",
    normalized: bool = True,
    level: float = LEVEL,
) -> CausalEstimate:
    """IPW estimate of the ATT or ATE with a logistic propensity score."""
    what = "inverse probability weighting"
    _check_estimand(estimand, what)
    data = _data(frame, outcome, treatment, covariates, what)
    p, logit_if = _logit(data, what)
    y, d, x = data.y, data.d, data.x
    w = _weights(p, d, estimand)
    if estimand == "ATT":
        dw = (p / (1 - p))[:, None] * x  # d/dbeta of p/(1-p) = exp(x'b) is itself times x
        mu1, if1 = _hajek(y, d, np.ones_like(p), np.zeros_like(x), logit_if)
        if normalized:
            mu0, if0 = _hajek(y, 1 - d, w, dw, logit_if)
        else:
            share = d.mean()
            mu0 = float(np.mean((1 - d) * w * y) / share)
            if0 = ((1 - d) * w * y - mu0 * d) / share
            if0 = if0 + logit_if @ (np.mean(((1 - d) * y)[:, None] * dw, axis=0) / share)
    else:
        dw1 = (-(1 - p) / p)[:, None] * x  # d/dbeta of 1/p
        dw0 = (p / (1 - p))[:, None] * x  # d/dbeta of 1/(1-p)
        if normalized:
            mu1, if1 = _hajek(y, d, 1 / p, dw1, logit_if)
            mu0, if0 = _hajek(y, 1 - d, 1 / (1 - p), dw0, logit_if)
        else:
            mu1, mu0 = float(np.mean(d * y / p)), float(np.mean((1 - d) * y / (1 - p)))
            if1 = d * y / p - mu1 + logit_if @ np.mean((d * y)[:, None] * dw1, axis=0)
            if0 = (
                (1 - d) * y / (1 - p)
                - mu0
                + logit_if @ np.mean(((1 - d) * y)[:, None] * dw0, axis=0)
            )
    balance = balance_table(data, w)
    overlap = overlap_diagnostics(p, d, w, estimand)
    return _estimate(
        f"ipw_{estimand.lower()}",
        f"{estimand} ({'normalized' if normalized else 'Horvitz-Thompson'} weights)",
        outcome,
        mu1 - mu0,
        if1 - if0,
        data,
        _verdict(balance, overlap, estimand),
        _diagnostics(balance, overlap),
        level,
    )


def standardization(
    frame: pd.DataFrame,
    outcome: str,
    treatment: str,
    covariates: Sequence[str],
    estimand: str = "ATT",
    level: float = LEVEL,
) -> CausalEstimate:
    """The g-formula with a linear outcome model per group: ATT = mean over the treated of
    y - m0(X); ATE = mean over everyone of m1(X) - m0(X)."""
    what = "standardization (g-formula)"
    _check_estimand(estimand, what)
    data = _data(frame, outcome, treatment, covariates, what)
    y, d, x = data.y, data.d, data.x
    beta0, a0_inv = _ols(x, y, 1 - d, what, "untreated")
    m0 = x @ beta0
    if estimand == "ATT":
        share = d.mean()
        value = np.mean(d * (y - m0)) / share
        influence = d * (y - m0 - value) / share
        gradient = np.mean(d[:, None] * x, axis=0) / share
        influence = influence - ((x * ((1 - d) * (y - m0))[:, None]) @ a0_inv) @ gradient
    else:
        beta1, a1_inv = _ols(x, y, d, what, "treated")
        m1 = x @ beta1
        value = np.mean(m1 - m0)
        gradient = np.mean(x, axis=0)
        influence = (
            m1
            - m0
            - value
            + ((x * (d * (y - m1))[:, None]) @ a1_inv) @ gradient
            - ((x * ((1 - d) * (y - m0))[:, None]) @ a0_inv) @ gradient
        )
    p, _ = _logit(data, what)
    w = _weights(p, d, estimand)
    overlap = overlap_diagnostics(p, d, w, estimand)
    balance = balance_table(data, w)
    return _estimate(
        f"g_formula_{estimand.lower()}",
        f"{estimand} (linear outcome model per group)",
        outcome,
        float(value),
        influence,
        data,
        _verdict(balance, overlap, estimand),
        _diagnostics(balance, overlap),
        level,
    )


def doubly_robust(
    frame: pd.DataFrame,
    outcome: str,
    treatment: str,
    covariates: Sequence[str],
    estimand: str = "ATT",
    level: float = LEVEL,
) -> CausalEstimate:
    """Augmented IPW: the outcome model plus weighted residuals (normalized weights)."""
    what = "doubly robust (AIPW)"
    _check_estimand(estimand, what)
    data = _data(frame, outcome, treatment, covariates, what)
    y, d, x = data.y, data.d, data.x
    p, _ = _logit(data, what)
    beta0, _ = _ols(x, y, 1 - d, what, "untreated")
    m0 = x @ beta0
    if estimand == "ATT":
        w1 = d / d.mean()
        odds = (1 - d) * p / (1 - p)
        w0 = odds / odds.mean()
        eta1, eta0 = np.mean(w1 * (y - m0)), np.mean(w0 * (y - m0))
        value = eta1 - eta0
        influence = w1 * (y - m0 - eta1) - w0 * (y - m0 - eta0)
    else:
        beta1, _ = _ols(x, y, d, what, "treated")
        m1 = x @ beta1
        score = m1 - m0 + d * (y - m1) / p - (1 - d) * (y - m0) / (1 - p)
        value = np.mean(score)
        influence = score - value
    w = _weights(p, d, estimand)
    balance = balance_table(data, w)
    overlap = overlap_diagnostics(p, d, w, estimand)
    return _estimate(
        f"aipw_{estimand.lower()}",
        f"{estimand} (doubly robust)",
        outcome,
        float(value),
        influence,
        data,
        _verdict(balance, overlap, estimand),
        _diagnostics(balance, overlap),
        level,
    )


def _ols(
    x: np.ndarray, y: np.ndarray, group: np.ndarray, what: str, label: str
) -> tuple[np.ndarray, np.ndarray]:
    """OLS of y on x within the group, and the inverse of E[group x x'] (for influence)."""
    gram = (x * group[:, None]).T @ x / len(y)
    if np.linalg.matrix_rank(gram) < x.shape[1]:
        raise CausalInputError(
            f"{what}: the covariates are collinear among the {label} units "
            f"({int(group.sum())} of them)"
        )
    inverse = np.linalg.inv(gram)
    beta = inverse @ ((x * group[:, None]).T @ y / len(y))
    return beta, inverse


def nearest_neighbor_matching(
    frame: pd.DataFrame,
    outcome: str,
    treatment: str,
    covariates: Sequence[str],
    level: float = LEVEL,
) -> CausalEstimate:
    """ATT by 1:1 nearest-neighbour matching with replacement in Mahalanobis distance (ties
    broken by row order), with Abadie and Imbens' (2006) standard error: the conditional
    variance of each unit estimated from its nearest neighbour in its own group."""
    what = "nearest-neighbour matching"
    data = _data(frame, outcome, treatment, covariates, what)
    y, d = data.y, data.d
    z = _whitened(data.raw)
    treated, untreated = np.flatnonzero(d == 1), np.flatnonzero(d == 0)
    _, nearest = cKDTree(z[untreated]).query(z[treated], k=1)
    match = untreated[nearest]
    value = float(np.mean(y[treated] - y[match]))
    times_used = np.bincount(nearest, minlength=len(untreated))
    sigma2 = np.empty(len(y))
    for group in (treated, untreated):
        _, pair = cKDTree(z[group]).query(z[group], k=2)
        sigma2[group] = 0.5 * (y[group] - y[group[pair[:, 1]]]) ** 2
    n1 = len(treated)
    variance = (
        np.sum((y[treated] - y[match] - value) ** 2)
        + np.sum(times_used * (times_used - 1) * sigma2[untreated])
    ) / n1**2
    se = float(np.sqrt(variance))
    low, high = normal_interval(value, se, level)
    matched = np.zeros(len(y))
    matched[untreated] = times_used
    balance = balance_table(data, np.where(d == 1, 1.0, matched))
    worst = max((abs(b.smd_after) for b in balance), default=0.0)
    verdict = (
        ("warn", f"matched covariates still differ (max |SMD| {worst:.2f})")
        if worst > SMD_WARN
        else ("pass", f"matched covariates balanced (max |SMD| {worst:.2f})")
    )
    return CausalEstimate(
        estimator="matching_att",
        estimand="ATT (1:1 nearest neighbour, Mahalanobis, with replacement)",
        outcome=outcome,
        estimate=value,
        std_error=se,
        ci_low=low,
        ci_high=high,
        n_obs=n1 + int((times_used > 0).sum()),
        n_units=len(y),
        n_treated=n1,
        sample=f"{n1:,} treated matched to {int((times_used > 0).sum()):,} distinct untreated "
        f"units; covariates: {', '.join(data.names)}",
        assumption=ASSUMPTION,
        verdict=verdict[0],
        verdict_note=verdict[1],
        diagnostics={"max_abs_smd_after": worst, "distinct_matches": int((times_used > 0).sum())},
        level=level,
    )


def _whitened(raw: np.ndarray) -> np.ndarray:
    """Covariates rotated so Euclidean distance is the Mahalanobis distance."""
    centered = raw - raw.mean(axis=0)
    cov = np.atleast_2d(np.cov(centered, rowvar=False))
    values, vectors = np.linalg.eigh(cov)
    keep = values > 1e-12 * values.max()
    return centered @ vectors[:, keep] / np.sqrt(values[keep])


def balance_table(data: _Data, weights: np.ndarray) -> tuple[Balance, ...]:
    """SMD of each covariate, unweighted and with the untreated (and, for the ATE, the
    treated) reweighted; the scale is the unweighted pooled standard deviation."""
    d = data.d
    rows = []
    for j, name in enumerate(data.names):
        values = data.raw[:, j]
        t, c = values[d == 1], values[d == 0]
        scale = np.sqrt((t.var(ddof=1) + c.var(ddof=1)) / 2) or 1.0
        wt, wc = weights[d == 1], weights[d == 0]
        weighted_t = np.average(t, weights=wt) if wt.sum() > 0 else float("nan")
        weighted_c = np.average(c, weights=wc) if wc.sum() > 0 else float("nan")
        rows.append(
            Balance(
                covariate=name,
                mean_treated=float(t.mean()),
                mean_untreated=float(c.mean()),
                mean_untreated_weighted=float(weighted_c),
                smd_before=float((t.mean() - c.mean()) / scale),
                smd_after=float((weighted_t - weighted_c) / scale),
            )
        )
    return tuple(rows)


def covariate_balance(
    frame: pd.DataFrame,
    treatment: str,
    covariates: Sequence[str],
    estimand: str = "ATT",
) -> pd.DataFrame:
    """The balance table of propensity-score weighting, one row per covariate."""
    data = _data(frame, None, treatment, covariates, "covariate balance")
    p, _ = _logit(data, "covariate balance")
    rows = balance_table(data, _weights(p, data.d, estimand))
    return pd.DataFrame([vars(row) for row in rows])


def overlap_diagnostics(p: np.ndarray, d: np.ndarray, w: np.ndarray, estimand: str) -> Overlap:
    """Propensity ranges by group, the shares outside the other group's range, the
    effective size of the weighted untreated and the largest single weight share."""
    pt, pc = p[d == 1], p[d == 0]
    wc, wt = w[d == 0], w[d == 1]
    shares = [wc.max() / wc.sum()]
    if estimand == "ATE":
        shares.append(wt.max() / wt.sum())
    return Overlap(
        treated_min=float(pt.min()),
        treated_max=float(pt.max()),
        untreated_min=float(pc.min()),
        untreated_max=float(pc.max()),
        treated_outside_share=float(np.mean((pt > pc.max()) | (pt < pc.min()))),
        untreated_outside_share=float(np.mean((pc > pt.max()) | (pc < pt.min()))),
        effective_untreated=float(wc.sum() ** 2 / np.sum(wc**2)),
        max_weight_share=float(max(shares)),
    )


def _verdict(balance: tuple[Balance, ...], overlap: Overlap, estimand: str) -> tuple[str, str]:
    outside = overlap.treated_outside_share
    if estimand == "ATE":
        outside = max(outside, overlap.untreated_outside_share)
    if outside > OVERLAP_FAIL_SHARE:
        return (
            "fail",
            f"no overlap: {outside:.0%} of units lie outside the other group's propensity range",
        )
    worst = max(balance, key=lambda b: abs(b.smd_after))
    if abs(worst.smd_after) > SMD_WARN:
        return "warn", f"{worst.covariate} unbalanced after weighting (SMD {worst.smd_after:+.2f})"
    if overlap.max_weight_share > MAX_WEIGHT_SHARE:
        return "warn", f"one unit carries {overlap.max_weight_share:.0%} of its group's weight"
    return "pass", (
        f"balanced (max |SMD| after {abs(worst.smd_after):.2f}), overlap "
        f"{1 - outside:.0%}, effective untreated {overlap.effective_untreated:.0f}"
    )


def _diagnostics(balance: tuple[Balance, ...], overlap: Overlap) -> dict[str, float | str]:
    out: dict[str, float | str] = {
        "max_abs_smd_before": max(abs(b.smd_before) for b in balance),
        "max_abs_smd_after": max(abs(b.smd_after) for b in balance),
        **{f"overlap_{k}": v for k, v in vars(overlap).items()},
    }
    for b in balance:
        out[f"smd_before:{b.covariate}"] = b.smd_before
        out[f"smd_after:{b.covariate}"] = b.smd_after
    return out
