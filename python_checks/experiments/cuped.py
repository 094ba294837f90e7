"""Regression adjustment with a pre-period covariate (CUPED: Deng, Xu, Kohavi and Walker,
"Improving the Sensitivity of Online Controlled Experiments by Utilizing Pre-Experiment
Data", WSDM 2013).

Each unit's value y is replaced by y - theta * z, with z its pre-period value; the
difference of the arms' adjusted means estimates the same effect as the difference of raw
means (randomization makes the arms' mean z equal in expectation) with less variance when z
predicts y. theta is the pooled within-arm least-squares slope of y on z: the covariate
coefficient of the regression y ~ 1 + treatment + z, so the adjusted difference equals that
regression's treatment coefficient exactly (the tests check it against statsmodels' OLS).
Deng et al. pool across arms without centring each arm; the two slopes differ by the
treatment effect's share of the covariance and agree asymptotically. theta is treated as
known in the variance (its estimation error is of lower order).

Edge case: a covariate with no within-arm variance gives theta = 0 (no adjustment).
"""

from __future__ import annotations

from python_checks.experiments.arm_statistics import ArmStatistics


def adjustment_slope(control: ArmStatistics, treatment: ArmStatistics) -> float:
    """Pooled within-arm slope of y on the pre-period covariate z."""
    cross = 0.0
    squares = 0.0
    for arm in (control, treatment):
        if not arm.has_pre:
            raise ValueError("regression adjustment needs pre-period statistics in both arms")
        cross += arm.sum_product_pre - arm.sum * arm.pre_sum / arm.n
        squares += arm.pre_sum_squares - arm.pre_sum**2 / arm.n
    return cross / squares if squares > 0 else 0.0
