"""Every metric of one experiment compared with the control, adjusted for multiple testing,
with the always-valid interval beside the fixed-horizon one.

`compare_metrics` runs `lifts.compare_arms` per metric and treatment variant, adjusts the
p-values of the experiment's metrics as one family (Benjamini-Hochberg by default, Holm as
an option) and adds the confidence sequence of each relative lift. Breakdown rows (a
`segment` other than `total`: per surface, per creator band) are exploratory and adjusted
as a family of their own, so they never dilute or inflate the headline metrics'.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from python_checks.experiments.arm_statistics import ArmStatistics
from python_checks.experiments.lifts import DEFAULT_ALPHA, Lift, compare_arms
from python_checks.experiments.sequential import (
    DEFAULT_TIGHTEST_AT_UNITS,
    ConfidenceSequence,
    confidence_sequence,
)
from python_checks.experiments.srm import DEFAULT_SRM_THRESHOLD
from python_checks.stats.multiple_testing import adjust_p_values

# Fewer effective units than this in an arm (Kish's (sum x)^2 / sum x^2 of the metric's
# values, or of a ratio's denominators) and the arm's total rests on a handful of units: one
# creator with most of the impressions makes every interval that treats units as many
# independent draws a guess (the normal approximation needs many comparable terms). With
# Pareto-distributed popularity this happens by chance; ten is where the simulator's
# creator-side intervals stopped covering their truth (docs/experiments.md).
MIN_EFFECTIVE_UNITS = 10
ROLES = ("primary", "guardrail", "secondary")
DIRECTIONS = ("higher_is_better", "lower_is_better")
TOTAL = "total"


@dataclass(frozen=True)
class MetricArms:
    """One metric's sufficient statistics per variant, with its role in the decision."""

    metric: str
    role: str
    direction: str
    arms: Mapping[str, ArmStatistics]
    unit_type: str = "unit"
    segment: str = TOTAL


@dataclass(frozen=True)
class ReadoutOptions:
    """How a readout is computed: `alpha` for every interval, the `control` variant's name,
    the multiple-testing `adjustment`, the sample-ratio `srm_threshold`, the confidence
    sequence's tuning (`tightest_at_units`), whether to use CUPED when pre-period
    statistics are given, and whether the experiment is still running (the decision then
    reads the always-valid interval)."""

    alpha: float = DEFAULT_ALPHA
    control: str = "control"
    adjustment: str = "benjamini-hochberg"
    srm_threshold: float = DEFAULT_SRM_THRESHOLD
    tightest_at_units: int = DEFAULT_TIGHTEST_AT_UNITS
    cuped: bool = True
    is_running: bool = False


@dataclass(frozen=True)
class MetricResult:
    """One metric x treatment variant: the lift, its adjusted p-value and its always-valid
    interval."""

    metric: str
    segment: str
    role: str
    direction: str
    unit_type: str
    variant: str
    control: str
    lift: Lift
    adjusted_p_value: float
    adjustment: str
    family_size: int
    sequential: ConfidenceSequence

    @property
    def is_worse(self) -> bool:
        """The relative lift's interval lies wholly on the metric's bad side."""
        relative = self.lift.relative
        if self.direction == "higher_is_better":
            return relative.ci_high < 0
        return relative.ci_low > 0

    @property
    def is_better(self) -> bool:
        relative = self.lift.relative
        if self.direction == "higher_is_better":
            return relative.ci_low > 0
        return relative.ci_high < 0

    @property
    def method(self) -> str:
        return f"{self.lift.method}; p adjusted by {self.adjustment} over {self.family_size} tests"


def compare_metrics(
    metrics: Sequence[MetricArms], options: ReadoutOptions | None = None
) -> tuple[MetricResult, ...]:
    """Each metric's treatment variants against the control (see the module docstring)."""
    options = options or ReadoutOptions()
    rows = []
    for metric in metrics:
        if options.control not in metric.arms:
            raise ValueError(f"metric {metric.metric!r} has no {options.control!r} arm")
        control = metric.arms[options.control]
        for variant, arm in metric.arms.items():
            if variant == options.control:
                continue
            lift = compare_arms(control, arm, options.alpha, options.cuped)
            sequential = confidence_sequence(
                lift.relative.estimate,
                lift.relative.standard_error,
                control.n + arm.n,
                options.alpha,
                options.tightest_at_units,
            )
            rows.append((metric, variant, lift, sequential))
    adjusted = [math.nan] * len(rows)
    family_sizes = [0] * len(rows)
    for is_total in (True, False):
        members = [i for i, row in enumerate(rows) if (row[0].segment == TOTAL) == is_total]
        if not members:
            continue
        values = adjust_p_values([rows[i][2].relative.p_value for i in members], options.adjustment)
        for i, value in zip(members, values, strict=True):
            adjusted[i] = float(value)
            family_sizes[i] = len(members)
    return tuple(
        MetricResult(
            metric=metric.metric,
            segment=metric.segment,
            role=metric.role,
            direction=metric.direction,
            unit_type=metric.unit_type,
            variant=variant,
            control=options.control,
            lift=lift,
            adjusted_p_value=adjusted[i],
            adjustment=options.adjustment,
            family_size=family_sizes[i],
            sequential=sequential,
        )
        for i, (metric, variant, lift, sequential) in enumerate(rows)
    )


def effective_units(arm: ArmStatistics) -> float:
    """Kish's effective number of units of the arm's total: (sum x)^2 / sum x^2 over the
    units' values (a ratio metric's denominators); n when that is undefined (values of
    both signs or all zero)."""
    total, squares = (
        (arm.denominator_sum, arm.denominator_sum_squares)
        if arm.is_ratio
        else (arm.sum, arm.sum_squares)
    )
    if total <= 0 or squares <= 0:
        return float(arm.n)
    return min(float(arm.n), total * total / squares)
