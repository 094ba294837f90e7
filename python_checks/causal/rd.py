"""Regression discontinuity at a cutoff of a running variable: sharp and fuzzy.

Units at or above the cutoff are treated (sharp) or more likely to be treated (fuzzy: the
treatment probability jumps there). If nothing else jumps at the cutoff, the jump of the
outcome there is the effect of crossing it (sharp), and that jump divided by the jump of
the treatment probability (the first stage) is the effect on the units whose treatment
the cutoff decides (fuzzy: a local Wald ratio, the compliers' effect at the cutoff).

Estimation is local polynomial regression on each side: by default linear with a
triangular kernel, the MSE-optimal bandwidth and robust bias-corrected confidence
intervals of Calonico, Cattaneo and Titiunik (2014), through `rdrobust`, the method
authors' implementation. The point estimate reported is the conventional one; the interval
and standard error are the robust bias-corrected ones (the pair rdrobust recommends). A
fixed `bandwidth` with `kernel="uniform"` and `polynomial=0` gives the difference of means
within the window (Lee, Moretti and Butler 2004's Table I).

Diagnostic: the manipulation test of Cattaneo, Jansson and Ma (2020) through `rddensity`:
if units can sort themselves across the cutoff, the running variable's density jumps
there. A rejection (p < 0.05) is a `fail`; a fuzzy first stage with |t| < 3.2 (F < 10) is a
`warn` (a weak first stage makes the ratio unreliable).

License: `rdrobust` and `rddensity` are GPL-3.0 (docs/dependencies.md). They are imported
inside the functions of this module and nowhere else, so the rest of the package neither
loads nor depends on them.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pandas as pd

from python_checks.causal.estimate import (
    LEVEL,
    CausalEstimate,
    CausalInputError,
    binary_column,
    numeric_column,
    require_columns,
)

KERNELS = ("triangular", "uniform", "epanechnikov")
DENSITY_ALPHA = 0.05
# Staiger and Stock's rule of thumb: a first-stage F below 10 (|t| below ~3.16) is weak.
WEAK_FIRST_STAGE_T = 10**0.5


# Keyword arguments rather than an options dataclass: they mirror rdrobust's own (h, kernel,
# p, cluster, fuzzy), so a call maps onto the method authors' documentation.
def regression_discontinuity(
    frame: pd.DataFrame,
    outcome: str,
    running: str,
    cutoff: float = 0.0,
    treatment: str | None = None,
    cluster: str | None = None,
    bandwidth: float | None = None,
    kernel: str = "triangular",
    polynomial: int = 1,
    density_test: bool = True,
    level: float = LEVEL,
) -> CausalEstimate:
    """Sharp RD of `outcome` at `cutoff` of `running`, or fuzzy RD when `treatment` (0/1)
    is given (its first stage is reported among the diagnostics). `bandwidth` None selects
    the MSE-optimal one; `cluster` clusters the standard errors."""
    what = "regression discontinuity"
    require_columns(frame, [outcome, running, treatment, cluster], what)
    if kernel not in KERNELS:
        raise CausalInputError(f"{what}: kernel must be one of {KERNELS}")
    y = numeric_column(frame, outcome, what)
    x = numeric_column(frame, running, what)
    above = x >= cutoff
    if above.sum() < 5 or (~above).sum() < 5:
        raise CausalInputError(
            f"{what}: {int((~above).sum())} rows below and {int(above.sum())} at or above "
            f"the cutoff {cutoff:g} of {running!r}; each side needs at least 5"
        )
    d = binary_column(frame, treatment, what) if treatment is not None else None
    clusters = pd.factorize(frame[cluster])[0] if cluster is not None else None
    fit = _rdrobust(y, x, cutoff, d, clusters, bandwidth, kernel, polynomial, level)
    h_left, h_right = (float(v) for v in fit.bws.iloc[0])
    diagnostics: dict[str, float | str] = {
        "bandwidth": h_left,
        "bandwidth_right": h_right,
        "bias_bandwidth": float(fit.bws.iloc[1, 0]),
        "kernel": kernel,
        "polynomial": polynomial,
        "n_left_effective": int(fit.N_h[0]),
        "n_right_effective": int(fit.N_h[1]),
        "conventional_ci_low": float(fit.ci.iloc[0, 0]),
        "conventional_ci_high": float(fit.ci.iloc[0, 1]),
        "conventional_std_error": float(fit.se.iloc[0, 0]),
    }
    notes, verdict = [], "pass"
    if d is not None:
        first = _rdrobust(
            d.astype(float), x, cutoff, None, clusters, (h_left, h_right), kernel, polynomial, level
        )
        jump, jump_se = float(first.coef.iloc[0, 0]), float(first.se.iloc[0, 0])
        diagnostics.update(first_stage=jump, first_stage_std_error=jump_se)
        t_stat = abs(jump / jump_se) if jump_se > 0 else float("inf")
        if t_stat < WEAK_FIRST_STAGE_T:
            verdict = "warn"
            notes.append(f"weak first stage (jump {jump:.2f}, t = {t_stat:.1f})")
        else:
            notes.append(f"first stage {jump:.2f} (t = {t_stat:.1f})")
    if density_test:
        p_value = manipulation_test(x, cutoff)
        diagnostics["density_p_value"] = p_value
        if np.isfinite(p_value) and p_value < DENSITY_ALPHA:
            verdict = "fail"
            notes.append(f"the density of {running} jumps at the cutoff (p = {p_value:.3g})")
        else:
            notes.append(f"no density jump (p = {p_value:.2f})")
    n_used = int(fit.N_h[0] + fit.N_h[1])
    estimator = "rd_fuzzy" if d is not None else "rd_sharp"
    return CausalEstimate(
        estimator=estimator,
        estimand="effect on compliers at the cutoff (local Wald ratio)"
        if d is not None
        else "effect of crossing the cutoff, at the cutoff",
        outcome=outcome,
        estimate=float(fit.coef.iloc[0, 0]),
        std_error=float(fit.se.iloc[2, 0]),
        ci_low=float(fit.ci.iloc[2, 0]),
        ci_high=float(fit.ci.iloc[2, 1]),
        n_obs=n_used,
        n_units=len(np.unique(clusters[np.abs(x - cutoff) <= max(h_left, h_right)]))
        if clusters is not None
        else n_used,
        n_treated=int(fit.N_h[1]),
        sample=f"{n_used:,} rows within the bandwidth {h_left:.4g} of {running} = {cutoff:g} "
        f"({kernel} kernel, polynomial of order {polynomial}) out of {len(y):,}",
        assumption="nothing but treatment jumps at the cutoff: units cannot sort across it "
        "and potential outcomes are continuous there",
        verdict=verdict,
        verdict_note="; ".join(notes),
        diagnostics=diagnostics,
        level=level,
    )


def manipulation_test(x: np.ndarray, cutoff: float) -> float:
    """p-value of the Cattaneo-Jansson-Ma density discontinuity test at the cutoff
    (rddensity, jackknife standard errors); NaN when it cannot be computed."""
    from rddensity import rddensity  # GPL-3.0: imported here only (module docstring)

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            result = rddensity(X=np.asarray(x, dtype=float), c=cutoff)
        except (ValueError, np.linalg.LinAlgError, ZeroDivisionError):
            return float("nan")
    return float(result.test["p_jk"])


def _rdrobust(y, x, cutoff, fuzzy, clusters, bandwidth, kernel, polynomial, level):
    from rdrobust import rdrobust  # GPL-3.0: imported here only (module docstring)

    options = {"c": cutoff, "kernel": kernel, "p": polynomial, "level": 100 * level}
    if fuzzy is not None:
        options["fuzzy"] = fuzzy
    if clusters is not None:
        options["cluster"] = clusters
        options["vce"] = "hc1"
    if bandwidth is not None:
        h = bandwidth if isinstance(bandwidth, tuple) else (bandwidth, bandwidth)
        options["h"], options["b"] = list(h), list(h)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            return rdrobust(y, x, **options)
        except Exception as error:  # rdrobust raises bare Exceptions on degenerate windows
            raise CausalInputError(f"regression discontinuity: rdrobust failed: {error}") from None
