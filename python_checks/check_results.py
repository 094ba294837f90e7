"""One shape for the outcome of every check, so the CLI, the `checks` schema and the report
can treat validation, monitoring and anomaly results alike."""

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

Status = Literal["pass", "warn", "fail"]


@dataclass(frozen=True)
class CheckResult:
    """What one check found.

    `check_name` says what was checked (e.g. "reconciliation.raw_to_staging"), `category`
    groups checks (reconciliation, invariant, distribution_shift, anomaly, ...), `subject` is
    the table, column, metric or slice it was run on. A `fail` of a `blocking` check makes
    `pgc check` exit non-zero. Statistics that do not apply stay None.
    """

    check_name: str
    category: str
    subject: str
    status: Status
    blocking: bool
    detail: str
    statistic: float | None = None
    p_value: float | None = None
    q_value: float | None = None
    effect_size: float | None = None
    threshold: float | None = None


RESULT_COLUMNS = tuple(CheckResult.__dataclass_fields__)


def results_frame(results: Iterable[CheckResult]) -> pd.DataFrame:
    """The results as a DataFrame with one column per CheckResult field, in field order."""
    return pd.DataFrame([asdict(result) for result in results], columns=list(RESULT_COLUMNS))


def benjamini_hochberg(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN p-values stay NaN and do not
    count towards the number of hypotheses."""
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        q[tested] = multipletests(p[tested], method="fdr_bh")[1]
    return q
