"""The decision a product manager acts on, and the rule that produced it.

Rules, first match wins (each treatment variant separately):

1. **blocked**: a sample-ratio mismatch (`srm`): no metric can be trusted.
2. **don't ship**: a guardrail is significantly worse: its relative lift's interval lies on
   the bad side *and* its adjusted p-value is below alpha (the guardrails are many, so they
   are judged after the multiple-testing adjustment).
3. **inconclusive**: a handful of units dominate the units the primary evidence rests on
   (fewer than `readout.MIN_EFFECTIVE_UNITS` effective units in an arm): its interval is
   not to be trusted either way.
4. **don't ship**: the primary metric's interval lies wholly on its bad side.
5. **ship**: the primary metric's interval lies wholly on its good side.
6. **inconclusive**: the primary metric's interval contains 0.

The primary metric is a single pre-registered test, read unadjusted: from its fixed-horizon
interval once the experiment has ended, from its always-valid interval while it runs. Where
interference biases the per-unit comparison (a creator-side or two-sided design), the
readout passes the interference-aware estimate as the primary evidence instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from python_checks.experiments.readout import MetricResult
from python_checks.experiments.srm import SampleRatioCheck

VERDICTS = ("ship", "don't ship", "inconclusive", "blocked")


@dataclass(frozen=True)
class PrimaryEvidence:
    """The interval the decision reads for the primary metric (relative effect)."""

    metric: str
    label: str
    direction: str
    estimate: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class Decision:
    verdict: str
    rule: str
    reason: str


def primary_evidence(result: MetricResult, is_running: bool) -> PrimaryEvidence:
    """The primary metric's fixed-horizon interval, or its always-valid one while running."""
    if is_running:
        sequence = result.sequential
        return PrimaryEvidence(
            result.metric,
            "always-valid interval (experiment running)",
            result.direction,
            sequence.estimate,
            sequence.ci_low,
            sequence.ci_high,
        )
    relative = result.lift.relative
    return PrimaryEvidence(
        result.metric,
        "fixed-horizon interval",
        result.direction,
        relative.estimate,
        relative.ci_low,
        relative.ci_high,
    )


def decide(
    srm: Sequence[SampleRatioCheck],
    primary: PrimaryEvidence | None,
    guardrails: Sequence[MetricResult],
    alpha: float,
    dominated: str | None = None,
) -> Decision:
    """Apply the rules of the module docstring."""
    failed = [check for check in srm if check.is_mismatch]
    if failed:
        return Decision(
            "blocked",
            "1. sample-ratio mismatch blocks the readout",
            "; ".join(check.verdict() for check in failed),
        )
    worse = [g for g in guardrails if g.is_worse and g.adjusted_p_value < alpha]
    if worse:
        names = ", ".join(
            f"{g.metric} {g.lift.relative.estimate:+.2%} (adjusted p = {g.adjusted_p_value:.2g})"
            for g in worse
        )
        return Decision("don't ship", "2. a guardrail is significantly worse", names)
    if dominated:
        return Decision(
            "inconclusive", "3. a handful of units dominate the primary evidence", dominated
        )
    if primary is None:
        return Decision("inconclusive", "no primary metric", "the readout has no primary metric")
    interval = (
        f"{primary.metric} {primary.estimate:+.2%} [{primary.ci_low:+.2%}, "
        f"{primary.ci_high:+.2%}], {primary.label}"
    )
    good_low = primary.ci_low > 0 if primary.direction == "higher_is_better" else None
    lower_is_better = primary.direction == "lower_is_better"
    if (primary.ci_high < 0 and not lower_is_better) or (primary.ci_low > 0 and lower_is_better):
        return Decision("don't ship", "4. the primary metric is significantly worse", interval)
    if good_low or (lower_is_better and primary.ci_high < 0):
        return Decision("ship", "5. the primary metric is significantly better", interval)
    return Decision("inconclusive", "6. the primary metric's interval contains 0", interval)
