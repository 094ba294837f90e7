"""Localize the root cause of an incident given as a file of leaves (one incident per file).

Formats, told apart by column names (any role can be named explicitly instead):

(a) actual / expected: dimension columns + an actual and an expected (forecast) value;
    Squeeze's and RiskLoc's `real` / `predict` files are this format.
(b) two periods of a ratio: failed and total for the anomalous period and for a baseline
    period (`failed`, `total`, `failed_baseline`, `total_baseline`, or `baseline_failed`, ...).
(c) one period of a ratio: failed and total only. With a time column (`timestamp`, `minute`,
    ...) the other times are the baseline (format b); without one the normal failure rate
    of each leaf is estimated from the file itself: a main-effects model of the dimension
    values whose outlying values are expected at their dimension's median (`normal_rates`),
    refitted without the root causes found.
(d) a derived measure as two files, `<name>.a.csv` and `<name>.b.csv` (Squeeze's derived
    datasets): the measure is a / b, both with real and predict columns.

Dimension columns, unless given, are all columns without a role; their values keep the type
they have in the file (a `cdn` column of integers gives slices like {'cdn': 5}).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from python_checks.diagnosis.leaf_columns import ROLES, LeafColumns
from python_checks.diagnosis.localization import (
    LocalizationOptions,
    LocalizationResult,
    default_depth,
    localize,
)
from python_checks.diagnosis.localization_criterion import layer_penalties
from python_checks.diagnosis.normal_rates import normal_model

FAILED_NAMES = ("failed", "fail", "failures", "failure", "errors", "error", "numerator", "num")
TOTAL_NAMES = ("total", "sessions", "requests", "count", "cnt", "denominator", "den")
# Failures and sessions in the RobustSpot files are called `value` and `cnt`: `value` is
# read as the failed count only next to a total column.
FAILED_NEXT_TO_TOTAL = ("value",)
ACTUAL_NAMES = ("actual", "real", "observed")
EXPECTED_NAMES = ("expected", "predict", "predicted", "forecast", "prediction")
BASELINE_WORDS = ("baseline", "before", "previous", "reference", "normal", "ref")
TIME_NAMES = ("timestamp", "time", "minute", "min", "ts", "datetime", "date", "period")


@dataclass(frozen=True)
class IncidentLayout:
    """Which column plays which role in an incident file."""

    format: str  # "actual_expected", "two_periods", "one_period" or "time_series"
    dimensions: tuple[str, ...]
    actual: str
    expected: str | None = None
    actual_denominator: str | None = None
    expected_denominator: str | None = None
    time: str | None = None


def _find(columns: Sequence[str], names: Sequence[str]) -> str | None:
    lowered = {column.lower(): column for column in columns}
    return next((lowered[name] for name in names if name in lowered), None)


def _baseline_column(columns: Sequence[str], names: Sequence[str]) -> str | None:
    candidates = [f"{name}_{word}" for word in BASELINE_WORDS for name in names]
    candidates += [f"{word}_{name}" for word in BASELINE_WORDS for name in names]
    return _find(columns, candidates)


def detect_layout(
    columns: Sequence[str],
    source: str,
    dimensions: Sequence[str] | None = None,
    roles: Mapping[str, str] | None = None,
) -> IncidentLayout:
    """The layout of a file with these columns; `roles` overrides detection, by role name
    (actual, expected, actual_denominator, expected_denominator, time). Errors name `source`."""
    roles = dict(roles or {})
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"{source}: unknown role(s) {sorted(unknown)}")
    for role, column in roles.items():
        if column not in columns:
            raise ValueError(f"{source}: no column {column!r} (given as {role}); has {columns}")
    total = roles.get("actual_denominator") or _find(columns, TOTAL_NAMES)
    failed = roles.get("actual") or _find(columns, FAILED_NAMES)
    if failed is None and total is not None:
        failed = _find(columns, FAILED_NEXT_TO_TOTAL)
    actual = roles.get("actual") or _find(columns, ACTUAL_NAMES)
    expected = roles.get("expected") or _find(columns, EXPECTED_NAMES)
    time = roles.get("time") or _find(columns, TIME_NAMES)
    if failed is not None and total is not None:
        failed_base = roles.get("expected") or _baseline_column(columns, FAILED_NAMES)
        total_base = roles.get("expected_denominator") or _baseline_column(columns, TOTAL_NAMES)
        if failed_base and total_base:
            layout = IncidentLayout("two_periods", (), failed, failed_base, total, total_base)
        elif expected is not None:  # failed, total and an expected failure count
            layout = IncidentLayout("actual_expected", (), failed, expected, total)
        elif time is not None:
            layout = IncidentLayout("time_series", (), failed, None, total, time=time)
        else:
            layout = IncidentLayout("one_period", (), failed, None, total)
    elif actual is not None and expected is not None:
        layout = IncidentLayout("actual_expected", (), actual, expected)
    else:
        raise ValueError(
            f"{source}: cannot tell the value columns; expected failed + total (e.g. "
            f"{FAILED_NAMES[0]}, {TOTAL_NAMES[0]}) or actual + expected (e.g. real, predict), "
            f"or name them; the file has {list(columns)}"
        )
    used = {c for c in (layout.actual, layout.expected, layout.actual_denominator,
                        layout.expected_denominator, layout.time) if c}  # fmt: skip
    dims = (
        tuple(dimensions) if dimensions is not None else tuple(c for c in columns if c not in used)
    )
    missing = [d for d in dims if d not in columns]
    if missing:
        raise ValueError(f"{source}: missing dimension column(s) {missing}; has {list(columns)}")
    if not dims:
        raise ValueError(f"{source}: no dimension columns left besides {sorted(used)}")
    return IncidentLayout(
        layout.format, dims, layout.actual, layout.expected, layout.actual_denominator,
        layout.expected_denominator, layout.time,
    )  # fmt: skip


def read_leaves(path: str | Path) -> pd.DataFrame:
    """A CSV file as a frame, 'NA' and empty strings kept as text; errors name the file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        return pd.read_csv(path, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot be read as CSV ({error})") from error


def _numeric(frame: pd.DataFrame, column: str, source: str) -> pd.Series:
    values = pd.to_numeric(frame[column].replace("", np.nan), errors="coerce")
    if values.isna().any():
        row = int(values.isna().to_numpy().argmax())
        raise ValueError(f"{source}: column {column!r} has a non-numeric value at row {row + 2}")
    return values.astype(float)


def localize_incident(
    path: str | Path,
    dimensions: Sequence[str] | None = None,
    roles: Mapping[str, str] | None = None,
    anomaly_time: object | None = None,
    options: LocalizationOptions | None = None,
    top_k: int | None = None,
    max_causes: int | None = None,
    min_confidence: float | None = None,
) -> LocalizationResult:
    """Root causes of the incident in one file (formats a, b, c above; a `<name>.a.csv`
    path is read with its `<name>.b.csv` as format d). `options` go to `localize`; by
    default the format's own (NO_BASELINE_OPTIONS for one period without a baseline), with
    `top_k` culprits, at most `max_causes` root causes and root causes of at least
    `min_confidence` when given."""
    changes = _changes(top_k, max_causes, min_confidence)
    path = Path(path)
    if path.name.endswith(".a.csv") and path.with_name(path.name[:-6] + ".b.csv").exists():
        b_path = path.with_name(path.name[:-6] + ".b.csv")
        return localize_derived(path, b_path, dimensions, _chosen(options, None, changes))
    frame = read_leaves(path)
    return localize_frame(
        frame, str(path), dimensions, roles, anomaly_time, options, top_k, max_causes,
        min_confidence,
    )  # fmt: skip


def _changes(
    top_k: int | None, max_causes: int | None, min_confidence: float | None
) -> dict[str, object]:
    given = {"top_k": top_k, "max_root_causes": max_causes, "min_confidence": min_confidence}
    return {name: value for name, value in given.items() if value is not None}


def _chosen(
    options: LocalizationOptions | None,
    default: LocalizationOptions | None = None,
    changes: Mapping[str, object] | None = None,
) -> LocalizationOptions:
    """`options`, else `default`, else the defaults; with the `changes` applied."""
    chosen = options or default or LocalizationOptions()
    return dataclasses.replace(chosen, **changes) if changes else chosen


def localize_frame(
    frame: pd.DataFrame,
    source: str = "frame",
    dimensions: Sequence[str] | None = None,
    roles: Mapping[str, str] | None = None,
    anomaly_time: object | None = None,
    options: LocalizationOptions | None = None,
    top_k: int | None = None,
    max_causes: int | None = None,
    min_confidence: float | None = None,
) -> LocalizationResult:
    """`localize_incident` over a frame already read (`source` names it in errors)."""
    changes = _changes(top_k, max_causes, min_confidence)
    layout = detect_layout(list(frame.columns), source, dimensions, roles)
    frame = frame.copy()
    for column in (layout.actual, layout.expected, layout.actual_denominator,
                   layout.expected_denominator):  # fmt: skip
        if column is not None:
            frame[column] = _numeric(frame, column, source)
    dims = list(layout.dimensions)
    if layout.format == "time_series":
        frame = _periods_from_time(frame, layout, anomaly_time, source)
        return localize(frame, dims, TWO_PERIOD_COLUMNS, _chosen(options, None, changes))
    if layout.format == "one_period":
        chosen = _chosen(options, NO_BASELINE_OPTIONS, changes)
        return localize_without_baseline(
            frame, dims, layout.actual, layout.actual_denominator or "", chosen
        )
    columns = LeafColumns(
        actual=layout.actual,
        expected=layout.expected or "",
        actual_denominator=layout.actual_denominator,
        expected_denominator=layout.expected_denominator,
    )
    return localize(frame, dims, columns, _chosen(options, None, changes))


# The columns `_periods_from_time` writes.
TWO_PERIOD_COLUMNS = LeafColumns("failed", "failed_baseline", "total", "total_baseline")


def _periods_from_time(
    frame: pd.DataFrame, layout: IncidentLayout, anomaly_time: object | None, source: str
) -> pd.DataFrame:
    """Leaves of the anomalous time against the times before it (all other times if it is
    the first). Without `anomaly_time`, the time whose overall failure rate is furthest from
    the median of the others, in MADs."""
    failed, total, time = layout.actual, layout.actual_denominator or "", layout.time or ""
    per_time = frame.groupby(time)[[failed, total]].sum()
    if anomaly_time is None:
        rate = per_time[failed] / per_time[total].where(per_time[total] > 0)
        spread = (rate - rate.median()).abs()
        scale = float(spread.median()) or float(spread.mean()) or 1.0
        anomaly_time = (spread / scale).idxmax()
    times = frame[time]
    if not (times == anomaly_time).any():
        as_text = times.astype(str) == str(anomaly_time)
        if not as_text.any():
            raise ValueError(f"{source}: no rows at {time} = {anomaly_time!r}")
        times = times.astype(str)
        anomaly_time = str(anomaly_time)
    before = times < anomaly_time
    reference = before if before.any() else times != anomaly_time
    dims = list(layout.dimensions)
    now = frame[times == anomaly_time].groupby(dims)[[failed, total]].sum()
    past = frame[reference].groupby(dims)[[failed, total]].sum()
    past.columns = ["failed_baseline", "total_baseline"]
    now.columns = ["failed", "total"]
    # The number of baseline times does not matter: only the baseline rate is used.
    return now.join(past, how="outer").fillna(0.0).reset_index()


def localize_without_baseline(
    frame: pd.DataFrame,
    dimensions: Sequence[str],
    failed: str,
    total: str,
    options: LocalizationOptions | None = None,
    rounds: int = 4,
    outlier_options: Mapping[str, float] | None = None,
) -> LocalizationResult:
    """Format (c): failed and total of the anomalous period only.

    The normal failure rate of each leaf comes from a main-effects model of the file
    (`normal_rates`): intrinsic differences between dimension values are explained, values
    whose effect is an outlier in their dimension (`options.outlier_rule`) are expected at
    the dimension's median, and only they are candidate causes on their own. The
    localization runs on the excess; the model is refitted without the leaves of the root
    causes found, until they stop changing (at most `rounds` times). `outlier_options`
    replace the rule's arguments of `normal_rates.outlying_values`; `options`
    (NO_BASELINE_OPTIONS by default) go to `localize`.
    """
    options = options or NO_BASELINE_OPTIONS
    columns = LeafColumns(actual=failed, expected="_expected", actual_denominator=total)
    codes = [pd.factorize(frame[d], use_na_sentinel=False)[0].astype(np.int64) for d in dimensions]
    f = frame[failed].to_numpy(dtype=float)
    n = frame[total].to_numpy(dtype=float)
    if outlier_options is None and options.outlier_rule == "criterion":
        # A value is a cause when its effect stands out of its dimension's by as much as a
        # slice of one dimension must explain to be named: the same criterion.
        sizes = [int(code.max()) + 1 if len(code) else 0 for code in codes]
        active = int(((f > 0) | (n > 0)).sum())
        depth = min(options.max_combination_size or default_depth(len(dimensions)), len(dimensions))
        first = layer_penalties(sizes, active, depth, options.penalty_scale)[0]
        outlier_options = {"min_z": math.sqrt(first), "min_log_factor": 0.0}
    outlier_options = outlier_options or {}
    excluded = np.zeros(len(frame), dtype=bool)
    work = frame.copy()
    result, seen = None, []
    for _ in range(max(rounds, 1)):
        work["_expected"], at_median = normal_model(codes, f, n, excluded, **outlier_options)
        # A value's own level is a parameter of the normal model unless it is an outlier (or
        # was left out of the fit): only those values are candidate causes on their own.
        fitted = [~replaced for replaced in at_median]
        result = localize(work, dimensions, columns, options, fitted_values=fitted)
        if result.root_causes in seen:  # converged, or cycling between two answers
            break
        seen.append(result.root_causes)
        excluded = _inside_any(work, result.root_causes)
    assert result is not None
    return result


# Without a baseline the failures are compared with estimated normal rates, and only excess
# failures are causes (a slice failing less than its estimate is an estimation error).
NO_BASELINE_OPTIONS = LocalizationOptions(direction="up")


def _inside_any(frame: pd.DataFrame, slices: Sequence[Mapping[str, object]]) -> np.ndarray:
    """Whether each row lies in at least one of the slices."""
    inside_any = np.zeros(len(frame), dtype=bool)
    for slice_ in slices:
        inside = np.ones(len(frame), dtype=bool)
        for dim, value in slice_.items():
            inside &= (frame[dim] == value).to_numpy()
        inside_any |= inside
    return inside_any


def localize_derived(
    a_path: str | Path,
    b_path: str | Path,
    dimensions: Sequence[str] | None = None,
    options: LocalizationOptions | None = None,
) -> LocalizationResult:
    """Format (d): a derived measure a / b from two real/predict files joined on dimensions."""
    frames = []
    for path, part in ((Path(a_path), "a"), (Path(b_path), "b")):
        frame = read_leaves(path)
        layout = detect_layout(list(frame.columns), str(path), dimensions)
        if layout.format != "actual_expected" or layout.actual_denominator is not None:
            raise ValueError(f"{path}: a derived measure's part needs real and predict columns")
        frame = frame[[*layout.dimensions, layout.actual, layout.expected or ""]].copy()
        frame.columns = [*layout.dimensions, f"real_{part}", f"predict_{part}"]
        for column in (f"real_{part}", f"predict_{part}"):
            frame[column] = _numeric(frame, column, str(path))
        frames.append((frame, layout.dimensions))
    (a, a_dims), (b, b_dims) = frames
    if set(a_dims) != set(b_dims):
        raise ValueError(f"{a_path} and {b_path} have different dimensions: {a_dims}, {b_dims}")
    leaves = a.merge(b, on=list(a_dims), how="outer").fillna(0.0)
    return localize_derived_frame(leaves, list(a_dims), options)


def localize_derived_frame(
    leaves: pd.DataFrame,
    dimensions: Sequence[str],
    options: LocalizationOptions | None = None,
) -> LocalizationResult:
    """Format (d) over leaves already joined: `real_a`, `predict_a`, `real_b`, `predict_b`;
    the measure is a / b, its expected value at each leaf the forecast ratio."""
    return localize(leaves, list(dimensions), DERIVED_COLUMNS, options or LocalizationOptions())


# The columns of a derived measure's joined leaves.
DERIVED_COLUMNS = LeafColumns("real_a", "predict_a", "real_b", "predict_b")
