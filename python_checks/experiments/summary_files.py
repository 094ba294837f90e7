"""`pgc experiment --summary FILE.csv`: per-arm sufficient statistics in a CSV file, read and
written.

One row per metric and variant. Columns (header names, any order, case-insensitive):

- required: `metric`, `variant`, `n`, `sum`, `sum_squares`;
- a ratio metric: `denominator_sum`, `denominator_sum_squares`, `sum_product`;
- a pre-period covariate (mean metrics): `pre_sum`, `pre_sum_squares`, `sum_product_pre`;
- optional: `role` (primary, guardrail, secondary; default: the first metric is primary,
  the others secondary), `direction` (higher_is_better, lower_is_better; default higher),
  `designed_share` (the variant's designed share of units, for the sample-ratio check;
  default equal shares), `unit_type` (default `unit`).

Other columns are ignored and reported. An empty optional cell means absent. Every problem
is a `SummaryFileError` naming the file, the row (data rows from 1, with the line number)
and the column. `pgc experiment ID --export-summary` writes this layout, so the two
commands give the same numbers.

Reading the file is the one file read outside `python_checks.warehouse` besides incident
files: `read_summary_file(path)` works from Python as from the command line.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from python_checks.experiments.arm_statistics import (
    PRE_FIELDS,
    RATIO_FIELDS,
    ArmStatistics,
    ArmStatisticsError,
)
from python_checks.experiments.experiment_readout import ExperimentDesign, ExperimentInputs
from python_checks.experiments.readout import DIRECTIONS, ROLES, MetricArms

REQUIRED_COLUMNS = ("metric", "variant", "n", "sum", "sum_squares")
OPTIONAL_COLUMNS = ("role", "direction", "designed_share", "unit_type")
NUMBER_COLUMNS = ("n", "sum", "sum_squares", *RATIO_FIELDS, *PRE_FIELDS)
COLUMNS = (*REQUIRED_COLUMNS, *RATIO_FIELDS, *PRE_FIELDS, *OPTIONAL_COLUMNS)


class SummaryFileError(ValueError):
    """A summary file that cannot be read: the message names file, row and column."""


@dataclass(frozen=True)
class ExperimentSummary:
    """What a summary file holds: the metrics with their arms, the designed shares (None:
    equal) and the columns it ignored."""

    metrics: tuple[MetricArms, ...]
    designed_shares: dict[str, float] | None
    ignored_columns: tuple[str, ...]


def _where(path: Path, row: int, column: str | None = None) -> str:
    place = f"{path}, row {row} (line {row + 1})"
    return f"{place}, column {column!r}" if column else place


def _number(text: str, path: Path, row: int, column: str) -> float | None:
    text = text.strip()
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise SummaryFileError(f"{_where(path, row, column)}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise SummaryFileError(f"{_where(path, row, column)}: {text!r} is not a finite number")
    return value


def read_summary_file(path: str | Path, control: str = "control") -> ExperimentSummary:
    """Read and check a summary file (see the module docstring)."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            rows = list(reader)
    except FileNotFoundError:
        raise FileNotFoundError(f"no summary file at {path}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise SummaryFileError(f"{path}: not a readable CSV file ({error})") from None
    if not header:
        raise SummaryFileError(f"{path}: empty file (expected a header row)")
    names = [name.strip().lower() for name in header]
    duplicates = sorted({name for name in names if names.count(name) > 1 and name})
    if duplicates:
        raise SummaryFileError(f"{path}: column {duplicates[0]!r} appears more than once")
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if missing:
        raise SummaryFileError(
            f"{path}: no column {missing[0]!r} (required: {', '.join(REQUIRED_COLUMNS)})"
        )
    ignored = tuple(name for name in names if name not in COLUMNS)
    records = []
    for row_number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        if len(row) != len(names):
            raise SummaryFileError(
                f"{_where(path, row_number)}: {len(row)} cells for {len(names)} columns"
            )
        records.append((row_number, dict(zip(names, row, strict=True))))
    if not records:
        raise SummaryFileError(f"{path}: no data rows")
    return _summary(path, records, control, ignored)


def _summary(
    path: Path, records: list[tuple[int, dict[str, str]]], control: str, ignored: tuple[str, ...]
) -> ExperimentSummary:
    by_metric: dict[str, list[tuple[int, dict[str, str]]]] = {}
    seen: dict[tuple[str, str], int] = {}
    for row_number, record in records:
        for column in ("metric", "variant"):
            if not record[column].strip():
                raise SummaryFileError(f"{_where(path, row_number, column)}: empty")
        key = (record["metric"].strip(), record["variant"].strip())
        if key in seen:
            raise SummaryFileError(
                f"{_where(path, row_number, 'variant')}: metric {key[0]!r} variant {key[1]!r} "
                f"already given in row {seen[key]}"
            )
        seen[key] = row_number
        by_metric.setdefault(key[0], []).append((row_number, record))
    shares: dict[str, tuple[float, int]] = {}
    metrics = []
    for position, (metric, rows) in enumerate(by_metric.items()):
        arms = {}
        for row_number, record in rows:
            arms[record["variant"].strip()] = _arm(path, row_number, record)
            share = _number(record.get("designed_share", ""), path, row_number, "designed_share")
            if share is not None:
                _record_share(path, row_number, record["variant"].strip(), share, shares)
        if control not in arms:
            raise SummaryFileError(
                f"{_where(path, rows[0][0], 'variant')}: metric {metric!r} has no row for the "
                f"control variant {control!r} (variants: {', '.join(arms)}; see --control)"
            )
        if len(arms) < 2:
            raise SummaryFileError(
                f"{_where(path, rows[0][0], 'variant')}: metric {metric!r} has no treatment row"
            )
        kinds = {(arm.is_ratio, arm.has_pre) for arm in arms.values()}
        if len(kinds) > 1:
            raise SummaryFileError(
                f"{_where(path, rows[-1][0])}: the variants of metric {metric!r} differ in "
                "which ratio or pre-period columns they fill"
            )
        role = _choice(path, rows[0], "role", ROLES, "primary" if position == 0 else "secondary")
        direction = _choice(path, rows[0], "direction", DIRECTIONS, "higher_is_better")
        unit_type = rows[0][1].get("unit_type", "").strip() or "unit"
        metrics.append(MetricArms(metric, role, direction, arms, unit_type))
    primaries = [m.metric for m in metrics if m.role == "primary"]
    if len(primaries) > 1:
        raise SummaryFileError(
            f"{path}: column 'role': more than one primary metric ({', '.join(primaries)})"
        )
    designed = {variant: share for variant, (share, _) in shares.items()} or None
    return ExperimentSummary(tuple(metrics), designed, ignored)


def _record_share(
    path: Path, row: int, variant: str, share: float, shares: dict[str, tuple[float, int]]
) -> None:
    if not 0 < share <= 1:
        raise SummaryFileError(
            f"{_where(path, row, 'designed_share')}: {share:g} is not a share in (0, 1]"
        )
    if variant in shares and not math.isclose(shares[variant][0], share, rel_tol=1e-9):
        raise SummaryFileError(
            f"{_where(path, row, 'designed_share')}: {share:g} for variant {variant!r}, but "
            f"row {shares[variant][1]} gives {shares[variant][0]:g}"
        )
    shares.setdefault(variant, (share, row))


def _choice(
    path: Path, row: tuple[int, dict[str, str]], column: str, allowed: Sequence[str], default: str
) -> str:
    value = row[1].get(column, "").strip().lower()
    if not value:
        return default
    if value not in allowed:
        raise SummaryFileError(
            f"{_where(path, row[0], column)}: {value!r} is not one of {', '.join(allowed)}"
        )
    return value


def _arm(path: Path, row: int, record: dict[str, str]) -> ArmStatistics:
    values = {
        column: _number(record.get(column, ""), path, row, column) for column in NUMBER_COLUMNS
    }
    for column in REQUIRED_COLUMNS[2:]:
        if values[column] is None:
            raise SummaryFileError(f"{_where(path, row, column)}: empty")
    if values["n"] != int(values["n"]):
        raise SummaryFileError(f"{_where(path, row, 'n')}: {values['n']:g} is not a whole number")
    values["n"] = int(values["n"])
    try:
        return ArmStatistics(**values)
    except ArmStatisticsError as error:
        raise SummaryFileError(f"{_where(path, row, error.field)}: {error.message}") from None


def write_summary_file(
    path: str | Path, metrics: Sequence[MetricArms], designed_shares: dict[str, float]
) -> None:
    """Write `metrics` in the summary layout (full float precision), so reading the file
    back gives the same arms."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    numbers = [f.name for f in fields(ArmStatistics)]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["metric", "variant", *numbers, *OPTIONAL_COLUMNS])
        for metric in metrics:
            for variant, arm in metric.arms.items():
                writer.writerow(
                    [
                        metric.metric,
                        variant,
                        *(_cell(getattr(arm, name)) for name in numbers),
                        metric.role,
                        metric.direction,
                        _cell(designed_shares.get(variant)),
                        metric.unit_type,
                    ]
                )


def _cell(value: float | None) -> str:
    """A number as the shortest text that reads back to the same float; empty for None."""
    if value is None:
        return ""
    if float(value).is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(float(value))


def summary_inputs(summary: ExperimentSummary, name: str) -> ExperimentInputs:
    """A summary file as readout inputs: the sample-ratio check counts, per unit type, the
    units of the first metric of that type; the designed shares are the file's (equal when
    it has none)."""
    variants = list(dict.fromkeys(v for m in summary.metrics for v in m.arms))
    shares = summary.designed_shares or dict.fromkeys(variants, 1 / len(variants))
    missing = [v for v in variants if v not in shares]
    if missing:
        raise SummaryFileError(
            f"column 'designed_share': no share for variant(s) {', '.join(missing)}"
        )
    counts: dict[str, dict[str, int]] = {}
    for metric in summary.metrics:
        counts.setdefault(metric.unit_type, {v: arm.n for v, arm in metric.arms.items()})
    primary = next((m.metric for m in summary.metrics if m.role == "primary"), None)
    return ExperimentInputs(
        design=ExperimentDesign(name, primary_metric=primary),
        metrics=summary.metrics,
        unit_counts=counts,
        designed_shares=shares,
    )
