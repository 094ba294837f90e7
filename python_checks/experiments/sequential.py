"""An always-valid confidence sequence for teams that look at a running experiment every day.

A fixed-horizon 95 % interval is valid at one pre-planned look; checked daily and stopped at
the first significant day, it declares far more than 5 % of null effects significant. The
normal-mixture confidence sequence (Robbins 1970; the mixture sequential probability ratio
test of Johari, Pekelis and Walsh, "Always Valid Inference: Continuous Monitoring of A/B
Tests", Operations Research 2022; in closed form as eq. (14) of Howard, Ramdas, McAuliffe
and Sekhon, "Time-uniform, nonparametric, nonasymptotic confidence sequences", Annals of
Statistics 2021) covers the effect at every look at once with probability 1 - alpha. It is
applied to an asymptotically normal estimate with an estimated variance, as justified by
Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas, "Time-uniform central limit theory and
asymptotic confidence sequences" (Annals of Statistics 2024); GrowthBook's sequential
testing uses the same boundary.

With t units in the comparison and the estimate's standard error se (so the per-unit
standard deviation is se * sqrt(t)), the half-width is

    se * sqrt( (t + r) / t * ( ln(1 + t / r) + 2 ln(1 / alpha) ) ),
    r = t* / ( 2 ln(1 / alpha) + ln(1 + 2 ln(1 / alpha)) ),

where r is the mixing scale in units. **Tuning parameter** t* (`tightest_at_units`): the
number of units at which the sequence is narrowest (Howard et al.'s choice of the mixture's
variance for a target intrinsic time). Set it to the planned size of the experiment before
it starts; choosing it after looking at the data voids the guarantee. Away from t* the
sequence widens slowly (logarithmically). The default, 5,000 units, is GrowthBook's default
and suits experiments of a few thousand to a few hundred thousand units.

The always-valid p-value at this look is 1 / (the mixture likelihood ratio at effect 0),
capped at 1: it is below alpha exactly when the sequence excludes 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_TIGHTEST_AT_UNITS = 5_000


@dataclass(frozen=True)
class ConfidenceSequence:
    """The always-valid interval and p-value of one estimate at one look."""

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    alpha: float
    units: int
    tightest_at_units: int


def mixing_scale(tightest_at_units: float, alpha: float) -> float:
    """r of the module docstring, in units (Howard et al.'s optimal rho divided by the
    per-unit variance)."""
    log_term = 2 * math.log(1 / alpha)
    return tightest_at_units / (log_term + math.log(1 + log_term))


def confidence_sequence(
    estimate: float,
    standard_error: float,
    units: int,
    alpha: float = 0.05,
    tightest_at_units: int = DEFAULT_TIGHTEST_AT_UNITS,
) -> ConfidenceSequence:
    """The normal-mixture confidence sequence of `estimate` after `units` units.

    Edge cases: NaN inputs give NaN bounds; a zero standard error gives the point itself."""
    if units < 1 or tightest_at_units < 1:
        raise ValueError("units and tightest_at_units must be positive")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    r = mixing_scale(tightest_at_units, alpha)
    if math.isnan(estimate) or math.isnan(standard_error):
        return ConfidenceSequence(
            estimate, math.nan, math.nan, math.nan, alpha, units, tightest_at_units
        )
    t = float(units)
    half_width = standard_error * math.sqrt(
        (t + r) / t * (math.log(1 + t / r) + 2 * math.log(1 / alpha))
    )
    if standard_error == 0:
        p_value = 1.0 if estimate == 0 else 0.0
    else:
        z = estimate / standard_error
        log_ratio = 0.5 * math.log(r / (t + r)) + z * z * t / (2 * (t + r))
        p_value = min(1.0, math.exp(-log_ratio))
    return ConfidenceSequence(
        estimate,
        estimate - half_width,
        estimate + half_width,
        p_value,
        alpha,
        units,
        tightest_at_units,
    )
