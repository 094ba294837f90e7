"""One shape for the outcome of every check, so the CLI, the `checks` schema and the report
can treat validation, monitoring and anomaly results alike."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

import pandas as pd

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
