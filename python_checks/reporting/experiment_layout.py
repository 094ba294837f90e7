"""`pgc experiment`: the readout on the console, in the order a product manager reads it:
the sample-ratio verdict, the decision and its rule, the primary metric, the guardrails,
every metric, the design-specific estimates, breakdowns and warnings."""

from __future__ import annotations

import math

from python_checks.experiments.estimates import Estimate
from python_checks.experiments.experiment_readout import ExperimentReadout
from python_checks.experiments.readout import TOTAL, MetricResult
from python_checks.reporting.formats import colorize, render_table


def _pct(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:+.2%}"


def _num(value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def _p(value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    return f"{value:.3f}" if value >= 0.001 else f"{value:.1e}"


def _interval(low: float, high: float) -> str:
    return f"[{_pct(low)}, {_pct(high)}]"


def _metric_rows(results: tuple[MetricResult, ...], colour: bool) -> list[list[str]]:
    rows = []
    for r in results:
        lift = r.lift
        good = True if r.is_better else (False if r.is_worse else None)
        reduction = lift.variance_reduction
        rows.append(
            [
                r.metric if r.segment == TOTAL else f"{r.metric} [{r.segment}]",
                r.role,
                r.variant,
                _num(lift.control_value),
                _num(lift.treatment_value),
                colorize(_pct(lift.relative.estimate), good, colour),
                _interval(lift.relative.ci_low, lift.relative.ci_high),
                _p(lift.relative.p_value),
                _p(r.adjusted_p_value),
                _interval(r.sequential.ci_low, r.sequential.ci_high),
                "" if reduction is None else f"{reduction:.0%}",
            ]
        )
    return rows


METRIC_HEADERS = [
    "metric", "role", "variant", "control", "treatment", "lift", "interval", "p",
    "adj. p", "always-valid", "CUPED var. cut",
]  # fmt: skip


def _estimate_rows(estimates: tuple[Estimate, ...]) -> list[list[str]]:
    return [
        [e.label, _pct(e.estimate), _interval(e.ci_low, e.ci_high), _p(e.p_value)]
        for e in estimates
    ]


def render_readout(readout: ExperimentReadout, colour: bool = False) -> str:
    design, options = readout.design, readout.options
    lines = [f"Experiment {design.experiment_id}" + (f": {design.name}" if design.name else "")]
    if design.start_date:
        lines.append(
            f"  {design.randomization_unit}-randomized, {design.start_date} to "
            f"{design.end_date}; data to {design.data_end_date}"
            + (" (running)" if design.is_running else "")
        )
    if design.hypothesis:
        lines.append(f"  hypothesis: {design.hypothesis}")
    lines += ["", "Sample ratio"]
    lines += [f"  {check.verdict()}" for check in readout.srm] or ["  no unit counts"]
    lines += ["", "Decision"]
    for variant, decision in readout.decisions.items():
        verdict = colorize(
            decision.verdict.upper(),
            {"ship": True, "don't ship": False}.get(decision.verdict),
            colour,
        )
        lines.append(f"  {variant}: {verdict}  (rule {decision.rule})")
        lines.append(f"    {decision.reason}")
    primary = [r for r in readout.results if r.role == "primary"]
    if primary:
        lines += ["", "Primary metric"]
        lines.append(render_table(METRIC_HEADERS, _metric_rows(tuple(primary), colour)))
    guardrails = [r for r in readout.results if r.role == "guardrail"]
    lines += ["", "Guardrails"]
    lines.append(
        render_table(METRIC_HEADERS, _metric_rows(tuple(guardrails), colour))
        if guardrails
        else "  none measured"
    )
    others = [r for r in readout.results if r.role == "secondary"]
    if others:
        lines += ["", "Other metrics"]
        lines.append(render_table(METRIC_HEADERS, _metric_rows(tuple(others), colour)))
    lines.append(
        f"  relative lifts, {1 - options.alpha:.0%} intervals (Welch t, delta method); p "
        f"belongs to the interval beside it; adj. p: {options.adjustment}; always-valid: "
        f"confidence sequence tightest at {options.tightest_at_units:,} units"
    )
    headers = ["estimate", "relative", "interval", "p"]
    if readout.creator_side:
        side = readout.creator_side
        lines += ["", "Creator-side interference"]
        estimates = (side.naive, side.cannibalization, side.treated_gain, side.global_effect)
        lines.append(render_table(headers, _estimate_rows(estimates)))
    if readout.two_sided:
        two = readout.two_sided
        lines += ["", f"Two-sided cells ({two.metric}, during the experiment)"]
        lines.append(
            render_table(
                ["cell", "value", "impressions"],
                [
                    [cell, _num(v), f"{two.cell_impressions[cell]:,.0f}"]
                    for cell, v in two.cell_values.items()
                ],
            )
        )
        lines.append(render_table(headers, _estimate_rows(two.estimates)))
    if readout.concentration:
        lines += ["", "Exposure concentration by viewer arm (impressions across creators)"]
        lines.append(
            render_table(
                ["variant", "creators", "Gini", "top 1% share"],
                [
                    [c.variant, f"{c.creators:,}", f"{c.gini:.3f}", f"{c.top_share:.1%}"]
                    for c in readout.concentration
                ],
            )
        )
    if readout.breakdowns:
        lines += ["", "Recommender efficiency and exposure, by segment (exploratory)"]
        lines.append(render_table(METRIC_HEADERS, _metric_rows(readout.breakdowns, colour)))
    if readout.warnings:
        lines += ["", "Warnings"]
        lines += [f"  - {warning}" for warning in readout.warnings]
    return "\n".join(lines)
