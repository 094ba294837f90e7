"""Absolute and relative lift of a treatment arm over the control arm, from each arm's
sufficient statistics.

- Mean metrics: Welch's t-test of the difference (scipy's `ttest_ind(equal_var=False)`).
- Ratio metrics: each arm's sum(y) / sum(x) with its delta-method variance (units are the
  units of randomization, so the linearized unit values are independent).
- With a pre-period covariate in both arms: regression adjustment (CUPED, `cuped`).

The relative lift (treatment - control) / control has its variance by the delta method, its
degrees of freedom by Welch-Satterthwaite over the two arms' variance components, and its
p-value from the same t statistic as its interval (GrowthBook's gbstats does the same), so
the interval excludes 0 exactly when p < alpha. The absolute lift has its own interval and
p-value, printed together.

Edge cases: a control value of 0 has no relative lift (NaN); constant arms give a zero
standard error (see `stats.welch.t_test`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from python_checks.experiments.arm_statistics import ArmStatistics
from python_checks.experiments.cuped import adjustment_slope
from python_checks.stats.delta_method import delta_variance
from python_checks.stats.welch import TTest, t_test, welch_satterthwaite_df

DEFAULT_ALPHA = 0.05


@dataclass(frozen=True)
class Lift:
    """Treatment against control for one metric."""

    control_value: float
    treatment_value: float
    n_control: int
    n_treatment: int
    absolute: TTest
    relative: TTest
    method: str
    theta: float | None = None  # the CUPED slope, when adjusted
    variance_reduction: float | None = None  # 1 - adjusted / unadjusted variance

    @property
    def absolute_effect(self) -> float:
        return self.absolute.estimate

    @property
    def relative_effect(self) -> float:
        return self.relative.estimate


def compare_arms(
    control: ArmStatistics,
    treatment: ArmStatistics,
    alpha: float = DEFAULT_ALPHA,
    adjust: bool = True,
) -> Lift:
    """The lift of `treatment` over `control`. With `adjust` and a pre-period covariate in
    both arms, regression-adjusted (CUPED); a covariate in one arm only is a ValueError."""
    if control.is_ratio != treatment.is_ratio:
        raise ValueError("one arm has a ratio metric's denominator and the other does not")
    if control.has_pre != treatment.has_pre:
        raise ValueError("one arm has pre-period statistics and the other does not")
    if control.is_ratio:
        return _compare(control, treatment, alpha, "Welch t, ratio by the delta method", None)
    if adjust and control.has_pre:
        unadjusted = _compare(control, treatment, alpha, "", 0.0)
        theta = adjustment_slope(control, treatment)
        adjusted = _compare(control, treatment, alpha, "Welch t, CUPED", theta)
        before = unadjusted.absolute.standard_error**2
        after = adjusted.absolute.standard_error**2
        reduction = 1 - after / before if before > 0 else math.nan
        return replace(adjusted, variance_reduction=reduction)
    return _compare(control, treatment, alpha, "Welch t", None)


def _arm_moments(arm: ArmStatistics, theta: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Estimated means and their covariance: (value) for plain and ratio metrics, (mean y,
    mean z) when adjusting with covariate z."""
    if theta is not None and arm.has_pre:
        return np.array([arm.mean, arm.pre_sum / arm.n]), arm.covariance() / arm.n
    return np.array([arm.value]), np.array([[arm.value_variance()]])


def _compare(
    control: ArmStatistics,
    treatment: ArmStatistics,
    alpha: float,
    method: str,
    theta: float | None,
) -> Lift:
    m_c, cov_c = _arm_moments(control, theta)
    m_t, cov_t = _arm_moments(treatment, theta)
    base = m_c[0]  # relative lifts divide by the control's (unadjusted) mean
    if m_c.size == 2:  # adjusted: y - theta * z in each arm
        adj_c, adj_t = m_c[0] - theta * m_c[1], m_t[0] - theta * m_t[1]
        grad_abs_t, grad_abs_c = np.array([1.0, -theta]), np.array([-1.0, theta])
        absolute = adj_t - adj_c
        numerator_t = adj_t + theta * m_c[1]  # d relative / d mean y_c = -numerator_t / base^2
    else:
        grad_abs_t, grad_abs_c = np.array([1.0]), np.array([-1.0])
        absolute = m_t[0] - m_c[0]
        numerator_t = m_t[0]
    dfs = (treatment.n - 1, control.n - 1)
    absolute_test = _test(absolute, grad_abs_t, cov_t, grad_abs_c, cov_c, dfs, alpha)
    with np.errstate(all="ignore"):  # a zero or vanishing control mean: no relative lift
        relative = absolute / base if base != 0 else math.nan
        grad_rel_t = grad_abs_t / base if base != 0 else grad_abs_t * math.nan
        grad_rel_c = (
            np.array([-numerator_t / base**2, *grad_abs_c[1:] / base])
            if base != 0
            else grad_abs_c * math.nan
        )
    if not (
        np.isfinite(relative) and np.isfinite(grad_rel_t).all() and np.isfinite(grad_rel_c).all()
    ):
        relative = math.nan
    relative_test = _test(float(relative), grad_rel_t, cov_t, grad_rel_c, cov_c, dfs, alpha)
    return Lift(
        control_value=float(control.value),
        treatment_value=float(treatment.value),
        n_control=control.n,
        n_treatment=treatment.n,
        absolute=absolute_test,
        relative=relative_test,
        method=f"{method}; relative interval by the delta method" if method else "",
        theta=theta if m_c.size == 2 else None,
    )


def _test(
    estimate: float,
    grad_t: np.ndarray,
    cov_t: np.ndarray,
    grad_c: np.ndarray,
    cov_c: np.ndarray,
    dfs: tuple[int, int],
    alpha: float,
) -> TTest:
    if math.isnan(estimate):
        return t_test(math.nan, math.nan, math.nan, alpha)
    components = (delta_variance(grad_t, cov_t), delta_variance(grad_c, cov_c))
    components = tuple(max(c, 0.0) for c in components)
    df = welch_satterthwaite_df(components, dfs)
    return t_test(float(estimate), math.sqrt(math.fsum(components)), df, alpha)
