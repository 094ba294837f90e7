"""One arm's sufficient statistics for one metric, and what follows from them.

Sums are over the arm's units (the units of randomization):

- a mean metric (e.g. watch time per viewer) needs `n`, `sum` and `sum_squares` of the
  unit values y;
- a ratio metric (e.g. views per impression, viewers randomized) adds the denominator x:
  `denominator_sum`, `denominator_sum_squares` and `sum_product` (sum of y * x); its value is
  sum(y) / sum(x) and its variance comes from the delta method;
- a pre-period covariate z for regression adjustment (CUPED) adds `pre_sum`,
  `pre_sum_squares` and `sum_product_pre` (sum of y * z); mean metrics only.

This is the layout of GrowthBook's gbstats and of `pgc experiment --summary` files, so the
statistics work on data from anywhere. A field that cannot come from real data (n < 2, a
sum of squares below sum^2 / n, a cross product beyond Cauchy-Schwarz) is an
`ArmStatisticsError` naming the field, which the file reader turns into a row and column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from python_checks.stats.delta_method import ratio_unit_variance

RATIO_FIELDS = ("denominator_sum", "denominator_sum_squares", "sum_product")
PRE_FIELDS = ("pre_sum", "pre_sum_squares", "sum_product_pre")
# Sums of squares and cross products are compared after float rounding: a relative slack of
# 1e-9 accepts sums computed in double precision (about 1e-16 per term, even over 10^6
# terms) and still rejects any sum that is wrong in its tenth significant digit.
ROUNDING_SLACK = 1e-9


class ArmStatisticsError(ValueError):
    """Statistics no set of units can have; `field` names the offending one."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ArmStatistics:
    """Sufficient statistics of one metric in one arm (see the module docstring)."""

    n: int
    sum: float
    sum_squares: float
    denominator_sum: float | None = None
    denominator_sum_squares: float | None = None
    sum_product: float | None = None
    pre_sum: float | None = None
    pre_sum_squares: float | None = None
    sum_product_pre: float | None = None

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if value is not None and not math.isfinite(value):
                raise ArmStatisticsError(field.name, f"{value} is not a finite number")
        if self.n != int(self.n) or self.n < 2:
            raise ArmStatisticsError("n", f"{self.n}: a variance needs at least 2 units")
        _check_group(self, RATIO_FIELDS, "a ratio metric")
        _check_group(self, PRE_FIELDS, "a pre-period covariate")
        if self.is_ratio and self.has_pre:
            raise ArmStatisticsError(
                "pre_sum",
                "regression adjustment is for mean metrics; a ratio metric needs "
                "the pre-period's numerator and denominator cross products as well",
            )
        _check_squares(self.n, self.sum, self.sum_squares, "sum_squares", "sum")
        if self.is_ratio:
            _check_squares(
                self.n,
                self.denominator_sum,
                self.denominator_sum_squares,
                "denominator_sum_squares",
                "denominator_sum",
            )
            if self.denominator_sum == 0:
                raise ArmStatisticsError("denominator_sum", "0: the ratio is undefined")
            _check_cross(self, "sum_product", self.denominator_sum, self.denominator_sum_squares)
        if self.has_pre:
            _check_squares(self.n, self.pre_sum, self.pre_sum_squares, "pre_sum_squares", "pre_sum")
            _check_cross(self, "sum_product_pre", self.pre_sum, self.pre_sum_squares)

    @property
    def is_ratio(self) -> bool:
        return self.denominator_sum is not None

    @property
    def has_pre(self) -> bool:
        return self.pre_sum is not None

    @property
    def mean(self) -> float:
        """Mean of the unit values y."""
        return self.sum / self.n

    @property
    def value(self) -> float:
        """The metric's value in the arm: mean(y), or sum(y) / sum(x) for a ratio."""
        return self.sum / self.denominator_sum if self.is_ratio else self.mean

    def covariance(self) -> np.ndarray:
        """Sample covariance matrix (n - 1 denominator) of the unit variables: (y), (y, x)
        for a ratio, (y, z) with a pre-period covariate."""
        names = ["sum"]
        if self.is_ratio:
            names.append("denominator_sum")
        if self.has_pre:
            names.append("pre_sum")
        squares = {
            ("sum", "sum"): self.sum_squares,
            ("denominator_sum", "denominator_sum"): self.denominator_sum_squares,
            ("pre_sum", "pre_sum"): self.pre_sum_squares,
            ("sum", "denominator_sum"): self.sum_product,
            ("sum", "pre_sum"): self.sum_product_pre,
        }
        matrix = np.empty((len(names), len(names)))
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                cross = squares.get((a, b), squares.get((b, a)))
                matrix[i, j] = (cross - getattr(self, a) * getattr(self, b) / self.n) / (self.n - 1)
        return matrix

    def value_variance(self) -> float:
        """Variance of `value` as an estimate: s^2 / n for a mean, the delta method's
        linearized variance / n for a ratio."""
        cov = self.covariance()
        if not self.is_ratio:
            return float(cov[0, 0]) / self.n
        x_mean = self.denominator_sum / self.n
        unit = ratio_unit_variance(self.mean, x_mean, cov[0, 0], cov[1, 1], cov[0, 1])
        return unit / self.n


def _check_group(arm: ArmStatistics, group: tuple[str, ...], what: str) -> None:
    given = [name for name in group if getattr(arm, name) is not None]
    if given and len(given) < len(group):
        missing = next(name for name in group if getattr(arm, name) is None)
        raise ArmStatisticsError(missing, f"missing: {what} needs {', '.join(group)}")


def _check_squares(n: int, total: float, squares: float, name: str, total_name: str) -> None:
    floor = total * total / n
    if squares < 0 or squares < floor - ROUNDING_SLACK * max(abs(floor), abs(squares), 1.0):
        raise ArmStatisticsError(
            name,
            f"{squares:g} is below {total_name}^2 / n = {floor:g}: not the sum of squares "
            f"of {n} values that sum to {total:g}",
        )


def _check_cross(arm: ArmStatistics, name: str, other_sum: float, other_squares: float) -> None:
    """|centered cross product| <= sqrt(centered y squares * centered x squares)."""
    n = arm.n
    cross = getattr(arm, name) - arm.sum * other_sum / n
    bound = math.sqrt(
        max(arm.sum_squares - arm.sum**2 / n, 0.0) * max(other_squares - other_sum**2 / n, 0.0)
    )
    scale = max(abs(getattr(arm, name)), abs(arm.sum * other_sum / n), 1.0)
    if abs(cross) > bound + ROUNDING_SLACK * scale:
        raise ArmStatisticsError(
            name,
            f"{getattr(arm, name):g} breaks the Cauchy-Schwarz bound for these sums: "
            "not the cross product of the same units",
        )
