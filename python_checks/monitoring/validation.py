"""The statistical validation of the built tables: reconciliation between layers and
distribution-shift monitors, with the p-values of all statistical monitors of the run
adjusted together (Benjamini-Hochberg). Row-level and identity invariants of single tables
are dbt tests (docs/checks_validation.md)."""

from dataclasses import dataclass, replace

import numpy as np

from python_checks.monitoring.check_results import CheckResult
from python_checks.monitoring.reconciliation import (
    RawAccounting,
    TieReading,
    reconciliation_results,
)
from python_checks.monitoring.shift_monitors import (
    PSI_FAIL,
    PSI_WARN,
    Periods,
    ShiftSample,
    shift_result,
    shift_status,
)
from python_checks.stats.multiple_testing import benjamini_hochberg

# The false discovery rate the run's statistical monitors are held to.
DEFAULT_ALPHA = 0.05


@dataclass(frozen=True)
class ValidationInputs:
    """What validation reads from the warehouse (and the raw files)."""

    accounting: tuple[RawAccounting, ...]
    ties: tuple[TieReading, ...]
    periods: Periods
    shift_samples: tuple[ShiftSample, ...]


def validation_results(inputs: ValidationInputs, alpha: float = DEFAULT_ALPHA) -> list[CheckResult]:
    """Every validation check: reconciliation, then the shift monitors, adjusted together."""
    results = [
        *reconciliation_results(list(inputs.accounting), list(inputs.ties)),
        *(shift_result(sample, inputs.periods) for sample in inputs.shift_samples),
    ]
    return adjust_for_multiple_testing(results, alpha)


def adjust_for_multiple_testing(
    results: list[CheckResult], alpha: float = DEFAULT_ALPHA
) -> list[CheckResult]:
    """Fill q_value for every result with a p-value (Benjamini-Hochberg over all of them
    together) and set each distribution-shift status from its q-value and PSI."""
    p_values = np.array([np.nan if r.p_value is None else r.p_value for r in results])
    q_values = benjamini_hochberg(p_values)
    adjusted = []
    for result, q_value in zip(results, q_values, strict=True):
        if result.p_value is None:
            adjusted.append(result)
            continue
        status = result.status
        if result.category == "distribution_shift":
            status = shift_status(float(q_value), result.effect_size, alpha, PSI_WARN, PSI_FAIL)
        adjusted.append(replace(result, q_value=float(q_value), status=status))
    return adjusted
