"""The text of `pgc causal`: one table of every estimate (estimator, estimand, estimate,
95 % interval, key assumption, diagnostic verdict), then the synthetic control's weights,
the causal-discovery graph and the notes on estimators the data could not support."""

from __future__ import annotations

import math

from python_checks.causal.estimate import CausalEstimate
from python_checks.causal.studies import StudyResult
from python_checks.reporting.formats import MISSING, colorize, render_table

# Short forms of each estimator's estimand and assumption for the console; the full
# sentences are in checks.causal_estimates and docs/causal.md.
SHORT = {
    "naive": ("difference in means", "no selection"),
    "did_2x2": ("ATT, launch-week cohort", "parallel trends"),
    "twfe": ("weighted ATT", "parallel trends, equal effects"),
    "callaway_santanna": ("ATT, all cohorts", "parallel trends vs not-yet-treated"),
    "rd_sharp": ("effect of eligibility at cutoff", "continuity at the cutoff"),
    "rd_fuzzy": ("complier effect at cutoff", "continuity, first stage"),
    "ipw_att": ("ATT, launch-week cohort", "no hidden confounder, overlap"),
    "g_formula_att": ("ATT, launch-week cohort", "no hidden confounder, overlap"),
    "aipw_att": ("ATT, launch-week cohort", "no hidden confounder, overlap"),
    "matching_att": ("ATT, launch-week cohort", "no hidden confounder, overlap"),
    "synthetic_control": ("average effect on the region", "donors track the region"),
}
TONE = {"pass": True, "fail": False, "warn": None, "none": None}


def _number(value: float) -> str:
    if value is None or not math.isfinite(value):
        return MISSING if value is None or math.isnan(value) else ("inf" if value > 0 else "-inf")
    magnitude = abs(value)
    decimals = 3 if magnitude < 10 else (1 if magnitude < 1000 else 0)
    return f"{value:,.{decimals}f}"


def _interval(estimate: CausalEstimate) -> str:
    return f"[{_number(estimate.ci_low)}, {_number(estimate.ci_high)}]"


def estimate_rows(estimates: tuple[CausalEstimate, ...], colour: bool = False) -> list[list[str]]:
    rows = []
    for estimate in estimates:
        base = estimate.estimator.split(":")[-1]
        estimand, assumption = SHORT.get(base, (estimate.estimand, estimate.assumption))
        e_value = estimate.diagnostics.get("e_value")
        rows.append(
            [
                estimate.estimator,
                estimate.outcome,
                estimand,
                _number(estimate.estimate),
                _interval(estimate),
                _number(float(e_value)) if isinstance(e_value, float) else MISSING,
                assumption,
                colorize(estimate.verdict, TONE[estimate.verdict], colour),
                estimate.verdict_note,
            ]
        )
    return rows


def render_study(result: StudyResult, colour: bool = False) -> str:
    """The study's table, synthetic-control weights, discovered graph and notes."""
    title = {"rewards": "Creator rewards program", "tools": "Content tools"}.get(
        result.study, result.study
    )
    period = (
        f" ({result.first_date} to {result.last_date})" if result.first_date is not None else ""
    )
    headers = [
        "estimator",
        "outcome",
        "estimand",
        "estimate",
        "95% interval",
        "E-value",
        "key assumption",
        "verdict",
        "diagnostic",
    ]
    lines = [
        f"{title}: effects per creator-day{period}",
        render_table(headers, estimate_rows(result.estimates, colour), left_columns=3),
    ]
    if result.synthetic is not None:
        weights = ", ".join(f"{unit} {w:.2f}" for unit, w in result.synthetic.weights if w >= 0.01)
        lines += [
            "",
            f"Synthetic control: donor weights {weights}; pre-period RMSPE "
            f"{result.synthetic.pre_rmspe:.3g}; placebo p = {result.synthetic.placebo_p_value:.2f}",
        ]
    if result.discovery is not None:
        edges = "; ".join(str(edge) for edge in result.discovery.edges) or "no edges"
        flag = (
            "FCI leaves room for a hidden common cause of enrollment and later posting"
            if result.enrollment_possibly_confounded
            else "FCI finds no sign of a hidden common cause of enrollment and later posting"
        )
        lines += [
            "",
            f"Causal discovery (FCI, alpha {result.discovery.alpha}, "
            f"{result.discovery.n_obs:,} creators): {edges}",
            f"  {flag} (a proposal to check, not a proof)",
        ]
    if result.notes:
        lines += ["", "Not estimated:", *(f"  {note}" for note in grouped_notes(result.notes))]
    return "\n".join(lines)


def grouped_notes(notes: tuple[str, ...]) -> list[str]:
    """Notes of the form "<estimator> <outcome> skipped: <reason>" merged when the
    estimator and the reason repeat across outcomes."""
    groups: dict[tuple[str, str], list[str]] = {}
    other = []
    for note in notes:
        label, _, reason = note.partition(" skipped: ")
        estimator, _, outcome = label.rpartition(" ")
        if not reason or not estimator:
            other.append(note)
            continue
        groups.setdefault((estimator, reason), []).append(outcome)
    merged = [
        f"{estimator} ({', '.join(outcomes)}) skipped: {reason}"
        for (estimator, reason), outcomes in groups.items()
    ]
    return merged + other
