"""What every estimator returns: `CausalEstimate`, and the column checks they share.

An estimate carries its point value, standard error and confidence interval, the sample it
used (rows, units, treated units, in words), the assumption it rests on in plain words, and
the diagnostics that can reveal a violation, summarised as a verdict:

- `pass`: the diagnostics found nothing against the assumption;
- `warn`: a diagnostic is borderline or the design is weak (few units, poor fit);
- `fail`: a diagnostic rejects the assumption (a pre-trend, a density jump, no overlap);
- `none`: the estimator has no diagnostic for its assumption (the naive comparison).

A passing diagnostic never proves the assumption: a hidden confounder can leave every
diagnostic clean (`docs/causal.md`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats

LEVEL = 0.95
VERDICTS = ("pass", "warn", "fail", "none")
# Cluster-robust errors and the tests built on them need many clusters; with fewer treated
# units than this their rejection rates are far from nominal (Cameron and Miller 2015
# discuss "few clusters"; MacKinnon and Webb 2017 show it for few treated clusters).
MIN_TREATED_UNITS = 10


class CausalInputError(ValueError):
    """The data cannot support the estimator as asked: a one-line message naming the
    column, the rows or the group at fault."""


@dataclass(frozen=True)
class CausalEstimate:
    """One estimator's answer for one outcome."""

    estimator: str
    estimand: str
    outcome: str
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    n_obs: int
    n_units: int
    n_treated: int
    sample: str
    assumption: str
    verdict: str
    verdict_note: str
    diagnostics: Mapping[str, float | str] = field(default_factory=dict)
    level: float = LEVEL

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")

    def covers(self, value: float) -> bool:
        """Whether `value` lies inside the confidence interval."""
        return bool(self.ci_low <= value <= self.ci_high)

    def with_diagnostics(self, **extra: float | str) -> CausalEstimate:
        return replace(self, diagnostics={**self.diagnostics, **extra})


def normal_interval(estimate: float, std_error: float, level: float = LEVEL) -> tuple[float, float]:
    """estimate -/+ z_{(1+level)/2} x std_error."""
    z = stats.norm.ppf((1 + level) / 2)
    return float(estimate - z * std_error), float(estimate + z * std_error)


def label(value: object) -> str:
    """A value for a one-line message: strings quoted, numbers and dates plain."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value) if isinstance(value, str) else str(value)


def require_columns(frame: pd.DataFrame, columns: Iterable[str | None], what: str) -> None:
    """Raise CausalInputError naming the first column `frame` lacks."""
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        raise CausalInputError(
            f"{what}: no column {missing[0]!r} (columns are {', '.join(map(str, frame.columns))})"
        )


def numeric_column(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """The column as floats; a non-numeric or non-finite value is an error naming its row."""
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        row = frame.index[int(np.flatnonzero(bad)[0])]
        raise CausalInputError(
            f"{what}: column {column!r} has a missing or non-numeric value at row {label(row)} "
            f"({int(bad.sum())} such rows)"
        )
    return values


def binary_column(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    """The column as 0/1 integers; anything else is an error naming its row."""
    values = numeric_column(frame, column, what)
    bad = ~np.isin(values, (0.0, 1.0))
    if bad.any():
        row = frame.index[int(np.flatnonzero(bad)[0])]
        raise CausalInputError(
            f"{what}: column {column!r} must be 0/1 (or boolean), got {label(values[bad][0])} "
            f"at row {label(row)}"
        )
    return values.astype(int)


def finite_or_nan(value: float) -> float:
    value = float(value)
    return value if math.isfinite(value) else float("nan")
