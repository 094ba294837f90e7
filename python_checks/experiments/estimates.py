"""An estimate with its interval, for the readouts that are not a plain metric lift
(cannibalization, the two-sided design's cell contrasts, a global effect)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from python_checks.stats.welch import t_test


@dataclass(frozen=True)
class Estimate:
    """A relative effect (e.g. +0.05 = +5 %) with its (1 - alpha) interval and the
    two-sided p-value of the same t statistic; `estimand` says what it estimates and
    `assumption` what it relies on."""

    name: str
    label: str
    estimate: float
    standard_error: float
    degrees_of_freedom: float
    ci_low: float
    ci_high: float
    p_value: float
    alpha: float
    estimand: str
    assumption: str = ""

    @property
    def excludes_zero(self) -> bool:
        return self.ci_low > 0 or self.ci_high < 0


def make_estimate(
    name: str,
    label: str,
    value: float,
    variance: float,
    df: float,
    alpha: float,
    estimand: str,
    assumption: str = "",
) -> Estimate:
    """An Estimate from a point value, its variance and degrees of freedom (t-based)."""
    test = t_test(value, math.sqrt(max(variance, 0.0)), df, alpha)
    return Estimate(
        name,
        label,
        value,
        test.standard_error,
        df,
        test.ci_low,
        test.ci_high,
        test.p_value,
        alpha,
        estimand,
        assumption,
    )
