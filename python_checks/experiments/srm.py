"""Sample-ratio mismatch: are the units per arm what the design says they should be?

A chi-square goodness-of-fit test of the units counted in each arm against the designed
shares (scipy.stats.chisquare). A mismatch means assignment or logging lost units in a
way that may depend on the treatment (Fabijan et al., "Diagnosing Sample Ratio Mismatch in
Online Controlled Experiments", KDD 2019), so no metric of the experiment can be trusted and
the readout is blocked.

Threshold: p < 0.001 by default. A platform checks every experiment every day, so the
threshold is strict enough that a healthy experiment raises a false alarm about once in a
thousand checks, while a real loss of a few percent of one arm on tens of thousands of units
gives p far below it (6 % of one arm of 10,000 units: chi-square about 18, p about 2e-5).
On a few thousand units the same loss is not detectable at this threshold: the verdict then
reports the observed shares and p so a reader sees the hint.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from scipy import stats

DEFAULT_SRM_THRESHOLD = 0.001


@dataclass(frozen=True)
class SampleRatioCheck:
    """The chi-square test of one unit type's counts per arm against the designed shares."""

    unit_type: str
    counts: Mapping[str, int]
    designed_shares: Mapping[str, float]
    statistic: float
    p_value: float
    threshold: float

    @property
    def is_mismatch(self) -> bool:
        return self.p_value < self.threshold

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def observed_share(self, variant: str) -> float:
        return self.counts[variant] / self.total

    @property
    def most_off_variant(self) -> str:
        """The arm furthest below its expected count (lost units are the usual cause); the
        furthest above it when none is below."""
        deviation = {
            v: self.counts[v] / (self.total * self.designed_shares[v]) - 1 for v in self.counts
        }
        return min(deviation, key=lambda v: (deviation[v], v))

    def verdict(self) -> str:
        variant = self.most_off_variant
        shares = ", ".join(
            f"{v} {self.counts[v]:,} ({self.observed_share(v):.1%} vs "
            f"{self.designed_shares[v]:.1%})"
            for v in self.counts
        )
        head = (
            f"FAIL: sample-ratio mismatch on {self.unit_type}s (chi-square {self.statistic:.2f}, "
            f"p = {self.p_value:.2g} < {self.threshold:g})"
            if self.is_mismatch
            else f"pass: {self.unit_type}s per arm match the design (chi-square "
            f"{self.statistic:.2f}, p = {self.p_value:.2g} >= {self.threshold:g})"
        )
        off = self.counts[variant] / (self.total * self.designed_shares[variant]) - 1
        tail = (
            f"; {variant} is {off:+.1%} off its expected count: units were lost or added "
            "unevenly (missing exposure logs, a redirect, a bot filter); the arms are not "
            "comparable until the cause is fixed"
            if self.is_mismatch
            else ""
        )
        return f"{head}: {shares}{tail}"


def sample_ratio_check(
    counts: Mapping[str, int],
    designed_shares: Mapping[str, float],
    unit_type: str = "unit",
    threshold: float = DEFAULT_SRM_THRESHOLD,
) -> SampleRatioCheck:
    """Chi-square of `counts` per variant against `designed_shares` (normalized to sum to
    1). Needs at least two variants with a positive designed share and one unit."""
    if set(counts) != set(designed_shares):
        raise ValueError(
            f"counts for {sorted(counts)} but designed shares for {sorted(designed_shares)}"
        )
    if len(counts) < 2 or any(share <= 0 for share in designed_shares.values()):
        raise ValueError("a sample-ratio check needs two or more arms with positive shares")
    total = sum(counts.values())
    if total <= 0:
        raise ValueError("no units to check")
    share_total = math.fsum(designed_shares.values())
    variants = list(counts)
    expected = [total * designed_shares[v] / share_total for v in variants]
    result = stats.chisquare([counts[v] for v in variants], expected)
    return SampleRatioCheck(
        unit_type=unit_type,
        counts={v: int(counts[v]) for v in variants},
        designed_shares={v: designed_shares[v] / share_total for v in variants},
        statistic=float(result.statistic),
        p_value=float(result.pvalue),
        threshold=threshold,
    )
