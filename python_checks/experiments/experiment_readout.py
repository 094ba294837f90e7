"""One experiment's readout, assembled from plain inputs: the sample-ratio verdict first,
every metric's lift, the design-specific estimates (interference for creator-side and
two-sided designs, exposure concentration for viewer-side ones), warnings and a decision.

`ExperimentInputs` is what `python_checks.warehouse.experiment_inputs` reads from the
registry and the marts (or what a summary file gives); `build_readout` computes on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from python_checks.experiments.decision import Decision, PrimaryEvidence, decide, primary_evidence
from python_checks.experiments.estimates import Estimate
from python_checks.experiments.exposure import gini, top_share
from python_checks.experiments.interference import CreatorSideReadout, creator_side_readout
from python_checks.experiments.readout import (
    MIN_EFFECTIVE_UNITS,
    MetricArms,
    MetricResult,
    ReadoutOptions,
    compare_metrics,
    effective_units,
)
from python_checks.experiments.srm import SampleRatioCheck, sample_ratio_check
from python_checks.experiments.two_sided import TwoSidedInputs, TwoSidedReadout, two_sided_readout


@dataclass(frozen=True)
class ExperimentDesign:
    """The registry's row of an experiment (or what a summary file implies)."""

    experiment_id: str
    name: str = ""
    randomization_unit: str = "unit"
    primary_metric: str | None = None
    hypothesis: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    data_end_date: dt.date | None = None

    @property
    def is_running(self) -> bool:
        return bool(self.end_date and self.data_end_date and self.data_end_date < self.end_date)


@dataclass(frozen=True)
class ExperimentInputs:
    """Everything a readout computes on, as plain data."""

    design: ExperimentDesign
    metrics: tuple[MetricArms, ...]
    unit_counts: Mapping[str, Mapping[str, int]]  # unit type -> variant -> units logged
    designed_shares: Mapping[str, float]  # variant -> designed share
    breakdowns: tuple[MetricArms, ...] = ()
    creator_side: tuple[str, str] | None = None  # (views metric, views-per-impression metric)
    two_sided: TwoSidedInputs | None = None
    exposure_by_arm: Mapping[str, np.ndarray] | None = None  # variant -> impressions per creator
    unmeasured_guardrails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Concentration:
    """Exposure concentration of one viewer arm's impressions across creators."""

    variant: str
    creators: int
    gini: float
    top_share: float


@dataclass(frozen=True)
class ExperimentReadout:
    design: ExperimentDesign
    options: ReadoutOptions
    srm: tuple[SampleRatioCheck, ...]
    results: tuple[MetricResult, ...]
    breakdowns: tuple[MetricResult, ...]
    decisions: Mapping[str, Decision]  # treatment variant -> decision
    primary: Mapping[str, PrimaryEvidence]
    creator_side: CreatorSideReadout | None = None
    two_sided: TwoSidedReadout | None = None
    concentration: tuple[Concentration, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_blocked(self) -> bool:
        return any(check.is_mismatch for check in self.srm)


def _arms(metrics: Sequence[MetricArms], name: str) -> MetricArms:
    return next(m for m in metrics if m.metric == name)


def _evidence_from(estimate: Estimate, metric: str, direction: str) -> PrimaryEvidence:
    return PrimaryEvidence(
        metric, estimate.label, direction, estimate.estimate, estimate.ci_low, estimate.ci_high
    )


def build_readout(
    inputs: ExperimentInputs, options: ReadoutOptions | None = None
) -> ExperimentReadout:
    """Compute the readout (see the module docstring)."""
    options = replace(options or ReadoutOptions(), is_running=inputs.design.is_running)
    srm = tuple(
        sample_ratio_check(
            counts, {v: inputs.designed_shares[v] for v in counts}, unit_type, options.srm_threshold
        )
        for unit_type, counts in inputs.unit_counts.items()
    )
    results = compare_metrics(inputs.metrics, options)
    breakdowns = compare_metrics(inputs.breakdowns, options) if inputs.breakdowns else ()
    warnings: list[str] = []
    creator = None
    if inputs.creator_side:
        views, per_impression = (_arms(inputs.metrics, name) for name in inputs.creator_side)
        control = options.control
        treatment = next(v for v in views.arms if v != control)
        creator = creator_side_readout(
            (views.arms[control], views.arms[treatment]),
            (per_impression.arms[control], per_impression.arms[treatment]),
            options.alpha,
        )
        warnings.append(creator.caveat)
    two_sided = two_sided_readout(inputs.two_sided, options.alpha) if inputs.two_sided else None
    if two_sided:
        warnings.append(
            "Two-sided design: the per-viewer and per-creator lifts are one-sided readouts "
            "of a treatment that acts where both sides are treated; the decision reads the "
            "global effect of the cell estimators."
        )
    concentration = tuple(
        Concentration(variant, len(counts), gini(counts), top_share(counts))
        for variant, counts in (inputs.exposure_by_arm or {}).items()
    )
    if inputs.unmeasured_guardrails:
        warnings.append(
            "Guardrails without a unit-level measure in the experiment marts, not checked: "
            + ", ".join(inputs.unmeasured_guardrails)
        )
    if options.is_running:
        warnings.append(
            "The experiment is still running: the decision reads the always-valid interval; "
            "a fixed-horizon interval read every day would declare false wins."
        )
    dominated = _dominated_units(inputs, options)
    for unit_type, (metric, variant, units) in dominated.items():
        warnings.insert(
            0,
            f"A handful of {unit_type}s dominate: {variant}'s {metric} rests on "
            f"{units:.1f} effective {unit_type}s (fewer than {MIN_EFFECTIVE_UNITS}); intervals "
            f"over {unit_type}s are unreliable (one {unit_type} holds much of the arm's total).",
        )
    relevant = {m.unit_type for m in inputs.metrics if m.role == "primary"}
    if inputs.creator_side or inputs.two_sided:
        relevant.add("creator")
    reason = "; ".join(
        f"{variant}'s {metric} rests on {units:.1f} effective {unit_type}s"
        for unit_type, (metric, variant, units) in dominated.items()
        if unit_type in relevant
    )
    decisions, primary = {}, {}
    guardrails = [r for r in results if r.role == "guardrail"]
    for variant in sorted({r.variant for r in results}):
        primaries = [r for r in results if r.role == "primary" and r.variant == variant]
        evidence = primary_evidence(primaries[0], options.is_running) if primaries else None
        if evidence and creator and variant == creator_variant(inputs, options):
            evidence = _evidence_from(creator.global_effect, evidence.metric, evidence.direction)
        if evidence and two_sided and evidence.metric == two_sided.metric:
            evidence = _evidence_from(
                two_sided.estimate("global_effect"), evidence.metric, evidence.direction
            )
        primary[variant] = evidence
        decisions[variant] = decide(
            srm,
            evidence,
            [g for g in guardrails if g.variant == variant],
            options.alpha,
            reason or None,
        )
    return ExperimentReadout(
        design=inputs.design,
        options=options,
        srm=srm,
        results=results,
        breakdowns=breakdowns,
        decisions=decisions,
        primary=primary,
        creator_side=creator,
        two_sided=two_sided,
        concentration=concentration,
        warnings=tuple(warnings),
    )


def _dominated_units(
    inputs: ExperimentInputs, options: ReadoutOptions
) -> dict[str, tuple[str, str, float]]:
    """Per unit type, the (metric, variant, effective units) with the fewest effective units
    when below MIN_EFFECTIVE_UNITS."""
    worst: dict[str, tuple[str, str, float]] = {}
    for metric in inputs.metrics:
        for variant, arm in metric.arms.items():
            units = effective_units(arm)
            if units < worst.get(metric.unit_type, ("", "", MIN_EFFECTIVE_UNITS))[2]:
                worst[metric.unit_type] = (metric.metric, variant, units)
    return worst


def creator_variant(inputs: ExperimentInputs, options: ReadoutOptions) -> str | None:
    """The treatment variant of a creator-side readout (the one non-control arm)."""
    if not inputs.creator_side:
        return None
    views = _arms(inputs.metrics, inputs.creator_side[0])
    return next(v for v in views.arms if v != options.control)


def _number(value: float | None) -> float | None:
    """A float for JSON and tables: NaN and infinities become None."""
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def result_records(readout: ExperimentReadout, breakdowns: bool = False) -> list[dict]:
    """One record per metric x treatment variant (the `--json` output and the rows of
    checks.experiment_results): effects, the relative interval and the p-value of the same
    test, the adjusted p-value and the method."""
    chosen = readout.results + (readout.breakdowns if breakdowns else ())
    records = []
    for result in chosen:
        lift = result.lift
        records.append(
            {
                "metric": result.metric,
                "segment": result.segment,
                "variant": result.variant,
                "control": result.control,
                "estimator": "cuped" if lift.theta is not None else "welch",
                "role": result.role,
                "direction": result.direction,
                "unit_type": result.unit_type,
                "n_control": lift.n_control,
                "n_treatment": lift.n_treatment,
                "control_value": _number(lift.control_value),
                "treatment_value": _number(lift.treatment_value),
                "absolute_effect": _number(lift.absolute.estimate),
                "absolute_ci_low": _number(lift.absolute.ci_low),
                "absolute_ci_high": _number(lift.absolute.ci_high),
                "absolute_p_value": _number(lift.absolute.p_value),
                "relative_effect": _number(lift.relative.estimate),
                "ci_low": _number(lift.relative.ci_low),
                "ci_high": _number(lift.relative.ci_high),
                "p_value": _number(lift.relative.p_value),
                "adjusted_p_value": _number(result.adjusted_p_value),
                "adjustment": result.adjustment,
                "method": result.method,
                "alpha": readout.options.alpha,
                "variance_reduction": _number(lift.variance_reduction),
                "sequential_ci_low": _number(result.sequential.ci_low),
                "sequential_ci_high": _number(result.sequential.ci_high),
                "sequential_p_value": _number(result.sequential.p_value),
            }
        )
    return records


def estimate_records(readout: ExperimentReadout) -> list[dict]:
    """The design-specific estimates (creator-side interference, two-sided cells) as
    records of the same shape, `estimator` naming the estimate."""
    estimates: list[tuple[str, Estimate]] = []
    if readout.creator_side:
        side = readout.creator_side
        estimates += [
            (readout.design.primary_metric or "", e)
            for e in (side.naive, side.cannibalization, side.treated_gain, side.global_effect)
        ]
    if readout.two_sided:
        estimates += [(readout.two_sided.metric, e) for e in readout.two_sided.estimates]
    return [
        {
            "metric": metric,
            "segment": "total",
            "variant": "treatment",
            "control": readout.options.control,
            "estimator": estimate.name,
            "role": "interference",
            "relative_effect": _number(estimate.estimate),
            "ci_low": _number(estimate.ci_low),
            "ci_high": _number(estimate.ci_high),
            "p_value": _number(estimate.p_value),
            "alpha": estimate.alpha,
            "method": f"{estimate.label}; estimates {estimate.estimand}"
            + (f"; assumes {estimate.assumption}" if estimate.assumption else ""),
        }
        for metric, estimate in estimates
    ]
