"""A creator-side experiment in a market where viewers' attention is shared.

Randomizing creators and comparing views per treated creator with views per control creator
(the naive readout) measures how much treated creators gain *relative to control
creators*. When the treatment wins exposure by taking it from other creators, control
creators lose what treated creators gain, and the naive lift overstates the effect of
treating every creator (Blake and Coey, "Why Marketplace Experimentation Is Harder than it
Seems", EC 2014; Johari, Li, Liskovich and Weintraub, Management Science 2022, call it
listing-side randomization's bias in a demand-constrained market). Three estimates expose
it:

- **cannibalization**: control creators' share of all the experiment's creators' views
  during the experiment, against their share in the pre-period, minus 1 (a control-arm loss
  is negative). The same for treated creators gives their gain. Assumes the experiment does
  not change the creators' total views (viewers' attention is fixed) and that, without it,
  each arm would have kept its pre-period share (randomization makes this hold in
  expectation; creators who joined during the window count in the during period only, in
  both arms alike).
- **global effect under fixed attention**: if impressions are a fixed budget, treating
  every creator can change total views only through views per impression; its relative
  lift (treated vs control creators, a ratio metric by the delta method) estimates the
  global effect. Assumes the treatment changes neither total impressions nor the view rate
  of the posts it does not touch.
- the naive lift itself (regression-adjusted on pre-period views, as the metric table
  shows it), for comparison: naive - global is the displacement it hides.

Variances by the delta method over the two arms' per-creator (during, pre) covariances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from python_checks.experiments.arm_statistics import ArmStatistics
from python_checks.experiments.estimates import Estimate, make_estimate
from python_checks.experiments.lifts import Lift, compare_arms
from python_checks.stats.delta_method import delta_variance
from python_checks.stats.welch import welch_satterthwaite_df

FIXED_ATTENTION = (
    "viewers' attention is fixed: the experiment moves views between creators but not their "
    "total, and without it each arm would have kept its pre-period share of views"
)
CAVEAT = (
    "The naive creator-level lift compares treated with control creators who lost views to "
    "them; it overstates the effect of treating every creator. The cannibalization and "
    "global-effect estimates assume " + FIXED_ATTENTION + "; a treatment that grows total "
    "attention would be read as displacement. A design that randomizes both sides, or "
    "clusters of creators that compete for the same viewers, measures interference directly."
)


@dataclass(frozen=True)
class CreatorSideReadout:
    """The naive lift, the displacement it hides and the global effect it stands for."""

    naive: Estimate
    cannibalization: Estimate
    treated_gain: Estimate
    global_effect: Estimate
    caveat: str = CAVEAT


def lift_estimate(
    name: str, label: str, lift: Lift, estimand: str, assumption: str = ""
) -> Estimate:
    """A metric lift's relative effect as an Estimate."""
    relative = lift.relative
    return Estimate(
        name,
        label,
        relative.estimate,
        relative.standard_error,
        relative.degrees_of_freedom,
        relative.ci_low,
        relative.ci_high,
        relative.p_value,
        relative.alpha,
        estimand,
        assumption,
    )


def share_shift(
    own: ArmStatistics, other: ArmStatistics, alpha: float
) -> tuple[float, float, float]:
    """(estimate, variance, df) of own arm's share of the during-period total over its share
    of the pre-period total, minus 1. Each arm's `sum` is the during-period value and
    `pre_sum` the pre-period value of the same units."""
    for arm in (own, other):
        if not arm.has_pre:
            raise ValueError("a share shift needs each arm's pre-period statistics")
    d_own, p_own = own.sum / own.n, own.pre_sum / own.n
    d_other, p_other = other.sum / other.n, other.pre_sum / other.n
    during = own.n * d_own + other.n * d_other
    pre = own.n * p_own + other.n * p_other
    if min(d_own, p_own, during, pre) <= 0:
        raise ValueError("a share shift needs positive during and pre-period totals")
    ratio = (d_own / p_own) * (pre / during)
    grad_own = ratio * np.array([1 / d_own - own.n / during, -1 / p_own + own.n / pre])
    grad_other = ratio * np.array([-other.n / during, other.n / pre])
    components = (
        delta_variance(grad_own, own.covariance() / own.n),
        delta_variance(grad_other, other.covariance() / other.n),
    )
    df = welch_satterthwaite_df(components, (own.n - 1, other.n - 1))
    return ratio - 1, sum(components), df


def creator_side_readout(
    views: tuple[ArmStatistics, ArmStatistics],
    views_per_impression: tuple[ArmStatistics, ArmStatistics],
    alpha: float,
) -> CreatorSideReadout:
    """`views` (control, treatment): per-creator views during the experiment with the
    pre-period views as covariate; `views_per_impression` (control, treatment): the ratio
    metric views received / impressions received per creator."""
    control, treatment = views
    naive = lift_estimate(
        "naive_lift",
        "naive lift (treated vs control creators)",
        compare_arms(control, treatment, alpha),
        "the per-creator lift of treated over control "
        "creators in the experiment as run (what a creator-level A/B readout shows)",
    )
    estimates = []
    for name, own, other, label, estimand in (
        (
            "cannibalization",
            control,
            treatment,
            "control creators' loss (cannibalization)",
            "the relative change in control creators' views caused by the experiment",
        ),
        (
            "treated_gain",
            treatment,
            control,
            "treated creators' gain",
            "the relative change in treated creators' views caused by the experiment",
        ),
    ):
        value, variance, df = share_shift(own, other, alpha)
        estimates.append(
            make_estimate(name, label, value, variance, df, alpha, estimand, FIXED_ATTENTION)
        )
    global_effect = lift_estimate(
        "global_effect",
        "global effect under fixed attention (views per impression)",
        compare_arms(*views_per_impression, alpha),
        "the relative change in total views if every creator were treated",
        "impressions are a fixed budget: treating every creator changes total views only "
        "through views per impression",
    )
    return CreatorSideReadout(naive, estimates[0], estimates[1], global_effect)
