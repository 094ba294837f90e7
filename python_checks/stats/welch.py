"""Welch's unequal-variance t-test from summary statistics, and the Welch-Satterthwaite
degrees of freedom of any estimate that is a sum of independent variance components.

One `t_test` turns an estimate, its standard error and its degrees of freedom into the
two-sided p-value *and* the confidence interval of the same statistic, so an interval that
excludes the null value never sits beside p > alpha. The tests pin `welch_test` to
`scipy.stats.ttest_ind_from_stats(equal_var=False)`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class TTest:
    """A two-sided t-test of `estimate` against `null`, and its (1 - alpha) interval."""

    estimate: float
    standard_error: float
    degrees_of_freedom: float
    statistic: float
    p_value: float
    ci_low: float
    ci_high: float
    alpha: float


def welch_satterthwaite_df(variances: Sequence[float], dfs: Sequence[float]) -> float:
    """Degrees of freedom of a sum of independent variance estimates (Satterthwaite 1946,
    Welch 1947): (sum v_i)^2 / sum(v_i^2 / df_i). Components with df_i <= 0 or v_i = 0 add
    nothing to the denominator; all-zero variances give infinity (the estimate is exact)."""
    total = math.fsum(variances)
    denominator = math.fsum(v * v / d for v, d in zip(variances, dfs, strict=True) if d > 0)
    if total <= 0 or denominator <= 0:
        return math.inf
    return total * total / denominator


def t_test(
    estimate: float, standard_error: float, df: float, alpha: float = 0.05, null: float = 0.0
) -> TTest:
    """p-value and interval of one t statistic (normal when df is infinite).

    Edge case: a zero standard error (both arms constant) makes the estimate exact: the
    interval is the point, and p is 0 when it differs from the null, 1 when it equals it,
    which keeps interval and p-value in agreement. A NaN estimate gives NaN throughout."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    if math.isnan(estimate) or math.isnan(standard_error):
        nan = math.nan
        return TTest(estimate, standard_error, df, nan, nan, nan, nan, alpha)
    if standard_error == 0:
        exact = 1.0 if estimate == null else 0.0
        statistic = 0.0 if estimate == null else math.copysign(math.inf, estimate - null)
        return TTest(estimate, 0.0, df, statistic, exact, estimate, estimate, alpha)
    statistic = (estimate - null) / standard_error
    distribution = stats.norm if math.isinf(df) else stats.t(df)
    p_value = float(2 * distribution.sf(abs(statistic)))
    half_width = float(distribution.ppf(1 - alpha / 2)) * standard_error
    return TTest(
        estimate,
        standard_error,
        df,
        statistic,
        p_value,
        estimate - half_width,
        estimate + half_width,
        alpha,
    )


def welch_test(
    mean_a: float,
    variance_a: float,
    n_a: int,
    mean_b: float,
    variance_b: float,
    n_b: int,
    alpha: float = 0.05,
) -> TTest:
    """Welch's test of mean_b - mean_a from each group's mean, sample variance (n - 1
    denominator) and size."""
    components = (variance_b / n_b, variance_a / n_a)
    df = welch_satterthwaite_df(components, (n_b - 1, n_a - 1))
    return t_test(mean_b - mean_a, math.sqrt(math.fsum(components)), df, alpha)
