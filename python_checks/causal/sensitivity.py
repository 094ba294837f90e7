"""Sensitivity to an unmeasured confounder: the E-value (VanderWeele and Ding 2017).

The E-value of a risk ratio RR is the minimum strength of association, on the risk-ratio
scale, that an unmeasured confounder would need with both the treatment and the outcome,
conditional on the measured covariates, to fully explain away the estimate:

    E = RR + sqrt(RR (RR - 1))    for RR >= 1 (use 1 / RR for RR < 1).

The E-value of the confidence interval is that of the limit closest to the null, and 1
when the interval contains the null. For a difference in means (every estimate of this
package is one), the standardized difference d = estimate / sd(outcome) is converted with
RR ~ exp(0.91 d) (VanderWeele and Ding 2017, after Chinn 2000), as in the R package EValue's
`evalues.MD`. Small E-values (close to 1) say a weak hidden confounder could explain the
estimate; they do not say one exists. A large E-value for a biased estimate (the naive one)
is a warning about the scale of the confounding, not a defence of the estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from python_checks.causal.estimate import CausalEstimate

# exp(0.91 d) approximates the risk ratio that corresponds to a standardized mean
# difference d (VanderWeele and Ding 2017, eq. for continuous outcomes; Chinn 2000).
SMD_TO_LOG_RR = 0.91


@dataclass(frozen=True)
class EValue:
    """The E-value of a point estimate and of its confidence interval."""

    risk_ratio: float
    point: float
    interval: float


def e_value_risk_ratio(risk_ratio: float) -> float:
    """E = RR + sqrt(RR (RR - 1)) for RR >= 1; for a protective RR < 1 use 1/RR."""
    if not risk_ratio > 0:
        raise ValueError(f"a risk ratio must be positive, got {risk_ratio}")
    ratio = risk_ratio if risk_ratio >= 1 else 1 / risk_ratio
    return ratio + math.sqrt(ratio * (ratio - 1))


def e_value(risk_ratio: float, ci_low: float, ci_high: float) -> EValue:
    """E-values of a risk ratio and its interval (1 when the interval holds RR = 1)."""
    if not 0 < ci_low <= ci_high:
        raise ValueError(f"the interval must satisfy 0 < low <= high, got [{ci_low}, {ci_high}]")
    if ci_low <= 1 <= ci_high:
        interval = 1.0
    else:
        interval = e_value_risk_ratio(ci_low if risk_ratio >= 1 else ci_high)
    return EValue(risk_ratio, e_value_risk_ratio(risk_ratio), interval)


def e_value_mean_difference(
    estimate: float, ci_low: float, ci_high: float, outcome_sd: float
) -> EValue:
    """E-values of a difference in means, through d = estimate / outcome_sd and
    RR = exp(0.91 d) (limits converted the same way)."""
    if not outcome_sd > 0:
        raise ValueError(f"the outcome's standard deviation must be positive, got {outcome_sd}")

    def to_rr(value: float) -> float:
        return math.exp(SMD_TO_LOG_RR * value / outcome_sd)

    return e_value(to_rr(estimate), to_rr(ci_low), to_rr(ci_high))


def with_e_value(estimate: CausalEstimate, outcome_sd: float) -> CausalEstimate:
    """The estimate with its E-values (`e_value`, `e_value_ci`) among its diagnostics."""
    if not (
        outcome_sd > 0 and math.isfinite(estimate.estimate) and estimate.ci_low <= estimate.ci_high
    ):
        return estimate
    values = e_value_mean_difference(
        estimate.estimate, estimate.ci_low, estimate.ci_high, outcome_sd
    )
    return estimate.with_diagnostics(e_value=values.point, e_value_ci=values.interval)
