"""Anomaly detection on `metrics.metric_daily`: which certified metric, slice and day moved
further than its noise allows?

For every (metric, dimension_name, dimension_value) series of a certified metric, restricted
to the total and the metric's allowed dimensions, each day after a two-week warm-up is
compared with a day-of-week-aware robust forecast (python_checks.monitoring.forecast). The band
width comes from a quasi-likelihood variance: ratio metrics use their denominator that day,
so a slice with 50 views gets a wider band than the total with 50,000. Two-sided p-values
from the robust z are adjusted by Benjamini-Hochberg over every series and day of the run; a
point is an anomaly when its q-value is below `alpha` and it moved by at least
`min_relative_change` of the forecast. A metric the catalogue defines as a constant times
another (watch_hours from watch_time_ms) is tested once, as its base, and reported under
both names. docs/checks_anomaly.md explains the choices.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from python_checks.monitoring.forecast import (
    Forecast,
    ForecastSettings,
    floor_at_sibling_median,
    forecast,
)
from python_checks.stats.multiple_testing import benjamini_hochberg
from python_checks.stats.variance_functions import VarianceKind

ANOMALY_COLUMNS = (
    "metric_name",
    "dimension_name",
    "dimension_value",
    "metric_date",
    "value",
    "expected",
    "lower",
    "upper",
    "score",
    "p_value",
    "q_value",
    "is_anomaly",
    "direction",
    "is_bad_direction",
)
SERIES_KEY = ["metric_name", "dimension_name", "dimension_value"]
TOTAL = "total"
METRIC_DAILY_COLUMNS = (*SERIES_KEY, "metric_date", "value", "numerator", "denominator")
CATALOGUE_COLUMNS = ("metric_name", "metric_type", "status", "direction", "allowed_dimensions")
DIRECTIONS = ("higher_is_better", "lower_is_better")


@dataclass(frozen=True)
class DetectionSettings:
    """Decision thresholds; the defaults are the documented choice."""

    alpha: float = 0.01  # Benjamini-Hochberg false discovery rate over the whole run
    min_relative_change: float = 0.05  # |value - expected| / |expected| needed for an alarm
    forecast: ForecastSettings = field(default_factory=ForecastSettings)


@dataclass(frozen=True)
class SeriesFamily:
    """Series of one metric that share a model: how values vary and how to fill gaps."""

    kind: VarianceKind
    multiplicative: bool
    has_denominator: bool
    count_like: bool  # integer data: phi is at least 1 (Poisson or binomial noise)
    fill_zero: bool  # a missing day of a slice means nothing happened


def _require_columns(frame: pd.DataFrame, columns: tuple[str, ...], table: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{table}: missing column(s) {', '.join(missing)}")


def _validate_catalogue(catalogue: pd.DataFrame) -> None:
    _require_columns(catalogue, CATALOGUE_COLUMNS, "metric_catalogue")
    bad = catalogue.loc[~catalogue["direction"].isin(DIRECTIONS), "metric_name"]
    if len(bad):
        raise ValueError(
            f"metric_catalogue: direction must be one of {DIRECTIONS}; "
            f"metric(s) {', '.join(map(str, bad))} have something else"
        )
    if catalogue["metric_name"].duplicated().any():
        raise ValueError("metric_catalogue: metric_name is not unique")


def _validate_metric_daily(metric_daily: pd.DataFrame) -> None:
    _require_columns(metric_daily, METRIC_DAILY_COLUMNS, "metric_daily")
    if metric_daily.duplicated([*SERIES_KEY, "metric_date"]).any():
        raise ValueError(
            "metric_daily: more than one row per metric_name, dimension_name, "
            "dimension_value and metric_date"
        )


def scored_rows(metric_daily: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Rows of certified metrics on their total or an allowed dimension."""
    certified = catalogue[catalogue["status"] == "certified"]
    allowed = {row.metric_name: {TOTAL, *row.allowed_dimensions} for row in certified.itertuples()}
    pairs = pd.DataFrame(
        [(metric, dim) for metric, dims in allowed.items() for dim in dims if dim],
        columns=["metric_name", "dimension_name"],
    )
    return metric_daily.merge(pairs, on=["metric_name", "dimension_name"], how="inner")


@dataclass(frozen=True)
class Rescaling:
    """A metric that is `factor` times `base_metric` on every series and day."""

    metric_name: str
    base_metric: str
    factor: float


def _allowed_dimensions(row: pd.Series) -> set[str]:
    return {TOTAL, *row["allowed_dimensions"]}


def rescaled_metrics(catalogue: pd.DataFrame) -> dict[str, Rescaling]:
    """Certified metrics that are a positive constant times another certified metric with
    (at least) the same allowed dimensions, by metric name, with chains resolved to the
    metric at their root.

    Read from the catalogue's `scaled_metric` and `scale_factor` (a derived metric such as
    watch_hours = watch_time_ms / 3,600,000). Such a metric carries no information its base
    does not: it is tested once, as its base, and reported under both names
    (`detect_anomalies`). Without those columns there are none.
    """
    if "scaled_metric" not in catalogue or "scale_factor" not in catalogue:
        return {}
    certified = catalogue[catalogue["status"] == "certified"].set_index("metric_name")
    direct = {
        metric_name: Rescaling(metric_name, row["scaled_metric"], float(row["scale_factor"]))
        for metric_name, row in certified.iterrows()
        if isinstance(row["scaled_metric"], str) and row["scaled_metric"] in certified.index
    }
    resolved = {}
    for metric_name, rescaling in direct.items():
        base, factor = rescaling.base_metric, rescaling.factor
        while base in direct and base != metric_name:
            base, factor = direct[base].base_metric, factor * direct[base].factor
        # The copy can only carry series its base scores.
        if base != metric_name and _allowed_dimensions(
            certified.loc[metric_name]
        ) <= _allowed_dimensions(certified.loc[base]):
            resolved[metric_name] = Rescaling(metric_name, base, factor)
    return resolved


# Units of measured quantities: integer milliseconds are not counts of events.
MEASURED_UNITS = frozenset({"milliseconds", "seconds", "hours", "usd"})


def _is_integer(values: pd.Series) -> bool:
    finite = values.dropna()
    return bool(len(finite)) and bool(np.all(np.isclose(finite, np.round(finite))))


def series_family(rows: pd.DataFrame, unit: str | None = None) -> SeriesFamily:
    """The model of one metric, read from its data: ratio or not, counts or not, signed or not.

    A ratio (numerator and denominator present) of integer counts whose numerator never
    exceeds its denominator is a proportion (binomial); another ratio or a non-negative
    value varies like a sum of events (Poisson); a metric with negative values (a
    week-over-week change, a net change) is modelled additively with constant variance.
    """
    has_denominator = bool(rows["denominator"].notna().any())
    if has_denominator:
        rated = rows.dropna(subset=["numerator", "denominator"])
        counts = _is_integer(rated["numerator"]) and _is_integer(rated["denominator"])
        proportion = counts and bool((rated["numerator"] <= rated["denominator"]).all())
        kind = VarianceKind.BINOMIAL if proportion else VarianceKind.POISSON
        return SeriesFamily(kind, True, True, counts, fill_zero=False)
    if (rows["value"] < 0).any():
        return SeriesFamily(VarianceKind.CONSTANT, False, False, False, fill_zero=False)
    counts = _is_integer(rows["value"]) and unit not in MEASURED_UNITS
    return SeriesFamily(VarianceKind.POISSON, True, False, counts, fill_zero=True)


def _most_common(dates: pd.Series) -> pd.Timestamp:
    return dates.value_counts().sort_index().idxmax()


def default_window(rows: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the run when not given: the most common first and last date of
    the metrics. Metrics reaching further (a 28-day distinct count continued
    past the data, a week-over-week change a week beyond it, signups backfilled for years)
    are cut to the window most metrics share."""
    dates = rows.groupby("metric_name")["metric_date"]
    return _most_common(dates.min()), _most_common(dates.max())


@dataclass(frozen=True)
class SeriesMatrix:
    """One metric's series on the daily grid of the run."""

    keys: pd.DataFrame  # metric_name, dimension_name, dimension_value per row
    values: np.ndarray
    denominators: np.ndarray
    family: SeriesFamily


def _grid_matrix(
    rows: pd.DataFrame, column: str, dates: pd.DatetimeIndex, fill: float
) -> pd.DataFrame:
    wide = rows.pivot(index=SERIES_KEY, columns="metric_date", values=column)
    wide = wide.reindex(columns=dates).astype(float)
    return wide if np.isnan(fill) else wide.fillna(fill)


def metric_matrix(
    rows: pd.DataFrame, dates: pd.DatetimeIndex, family: SeriesFamily
) -> SeriesMatrix:
    """The metric's series as (series x days) values and denominators (ones without one)."""
    values = _grid_matrix(rows, "value", dates, 0.0 if family.fill_zero else np.nan)
    if family.has_denominator:
        denominators = _grid_matrix(rows, "denominator", dates, np.nan)
        denominators = denominators.where(denominators > 0).to_numpy()
        values = values.where(~np.isnan(denominators))
    else:
        denominators = np.ones(values.shape)
    if family.fill_zero:
        # No zeros after the metric's last day (no data) nor before a series' own first row:
        # a slice that did not exist yet (a new app version) has no history, not a history of
        # zeros against which its launch would look like a surge.
        first_row = rows.groupby(SERIES_KEY)["metric_date"].min().reindex(values.index)
        before_first = dates.to_numpy()[None, :] < first_row.to_numpy()[:, None]
        after_last = dates > rows["metric_date"].max()
        values = values.mask(before_first | after_last[None, :])
    keys = values.index.to_frame(index=False)
    return SeriesMatrix(keys, values.to_numpy(), denominators, family)


def _noise_sd(prediction: Forecast, family: SeriesFamily) -> np.ndarray:
    """Standard deviation of value - expected; phi is at least 1 for counts (Poisson)."""
    phi = np.maximum(prediction.phi, 1.0) if family.count_like else prediction.phi
    return np.sqrt(phi * prediction.unit_variance)


def score_metric(
    matrix: SeriesMatrix, dates: pd.DatetimeIndex, settings: ForecastSettings
) -> pd.DataFrame:
    """Forecast, noise scale, robust z and two-sided p-value for every day of one metric."""
    prediction = forecast(
        matrix.values,
        matrix.denominators,
        matrix.family.kind,
        matrix.family.multiplicative,
        settings,
    )
    if settings.floor_phi_at_siblings:
        # Slices of one dimension are siblings; the total has none.
        groups = matrix.keys["dimension_name"].to_numpy()
        phi = floor_at_sibling_median(prediction.phi, groups, exempt=groups == TOTAL)
        prediction = dataclasses.replace(prediction, phi=phi)
    sd = _noise_sd(prediction, matrix.family)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = (matrix.values - prediction.expected) / sd
    n_series, n_days = matrix.values.shape
    frame = matrix.keys.loc[np.repeat(np.arange(n_series), n_days)].reset_index(drop=True)
    frame["metric_date"] = np.tile(dates.to_numpy(), n_series)
    frame["value"] = matrix.values.ravel()
    frame["expected"] = prediction.expected.ravel()
    frame["sd"] = sd.ravel()
    frame["score"] = score.ravel()
    frame = frame[np.isfinite(frame["score"]) & (frame["sd"] > 0)].copy()
    frame["p_value"] = 2 * stats.norm.sf(np.abs(frame["score"]))
    return frame


def _band(frame: pd.DataFrame, p_cutoff: float, min_relative_change: float) -> pd.DataFrame:
    """Values between lower and upper are not anomalies: |z| below the BH cut-off and a move
    smaller than the minimum relative change."""
    z_cutoff = stats.norm.isf(p_cutoff / 2)
    half_width = np.maximum(z_cutoff * frame["sd"], min_relative_change * frame["expected"].abs())
    return frame.assign(lower=frame["expected"] - half_width, upper=frame["expected"] + half_width)


def decide(
    scores: pd.DataFrame, catalogue: pd.DataFrame, settings: DetectionSettings
) -> pd.DataFrame:
    """BH q-values over all scored points, anomaly flags, bands and directions."""
    frame = scores.copy()
    frame["q_value"] = benjamini_hochberg(frame["p_value"].to_numpy())
    rejected = frame["q_value"] < settings.alpha
    # BH rejects exactly the p-values up to the largest rejected one; with none rejected the
    # first step's threshold alpha / m is the smallest p-value that would have been.
    p_cutoff = (
        frame.loc[rejected, "p_value"].max() if rejected.any() else settings.alpha / len(frame)
    )
    relative_change = (frame["value"] - frame["expected"]).abs() / frame["expected"].abs()
    frame["is_anomaly"] = rejected & (relative_change >= settings.min_relative_change)
    frame = _band(frame, p_cutoff, settings.min_relative_change)
    frame["direction"] = np.where(frame["value"] >= frame["expected"], "up", "down")
    higher_is_better = frame["metric_name"].map(
        catalogue.set_index("metric_name")["direction"].eq("higher_is_better")
    )
    frame["is_bad_direction"] = (frame["direction"] == "down") == higher_is_better.astype(bool)
    frame["metric_date"] = pd.to_datetime(frame["metric_date"]).dt.date
    return frame[list(ANOMALY_COLUMNS)].reset_index(drop=True)


def copy_rescaled(
    result: pd.DataFrame,
    rescaling: Rescaling,
    own_rows: pd.DataFrame,
    catalogue: pd.DataFrame,
) -> pd.DataFrame:
    """The base metric's scored points under the rescaled metric's name, on the series and
    days the rescaled metric itself has: value, forecast and band times the factor; score,
    p-value, q-value and flag unchanged (one hypothesis, tested once)."""
    base = result[result["metric_name"] == rescaling.base_metric].drop(columns="metric_name")
    keys = own_rows[[*SERIES_KEY, "metric_date"]].assign(
        metric_date=lambda frame: pd.to_datetime(frame["metric_date"]).dt.date
    )
    copy = keys.merge(base, on=[*SERIES_KEY[1:], "metric_date"], how="inner")
    for column in ("value", "expected", "lower", "upper"):
        copy[column] = copy[column] * rescaling.factor
    higher_is_better = (
        catalogue.set_index("metric_name").at[rescaling.metric_name, "direction"]
        == "higher_is_better"
    )
    copy["is_bad_direction"] = (copy["direction"] == "down") == higher_is_better
    return copy[list(ANOMALY_COLUMNS)]


def empty_result() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in ANOMALY_COLUMNS})


def detect_anomalies(
    metric_daily: pd.DataFrame,
    catalogue: pd.DataFrame,
    *,
    as_of: dt.date | str | None = None,
    start: dt.date | str | None = None,
    settings: DetectionSettings = DetectionSettings(),
) -> pd.DataFrame:
    """Score every day (after the two-week warm-up) of every certified series.

    `metric_daily` and `catalogue` have the columns of the warehouse tables of those names.
    The run covers `start` .. `as_of` (defaults: see `default_window`); history before
    `start` is not read. Returns one row per scored (metric_name, dimension_name,
    dimension_value, metric_date) with the columns of ANOMALY_COLUMNS.
    """
    _validate_metric_daily(metric_daily)
    _validate_catalogue(catalogue)
    rows = scored_rows(metric_daily, catalogue)
    rows = rows.assign(metric_date=pd.to_datetime(rows["metric_date"]))
    if rows.empty:
        return empty_result()
    default_start, default_end = default_window(rows)
    first = pd.Timestamp(start) if start is not None else default_start
    last = pd.Timestamp(as_of) if as_of is not None else default_end
    rows = rows[(rows["metric_date"] >= first) & (rows["metric_date"] <= last)]
    dates = pd.date_range(first, last, freq="D")
    units = catalogue.set_index("metric_name")["unit"] if "unit" in catalogue else pd.Series()
    rescalings = rescaled_metrics(catalogue)
    copies = rows[rows["metric_name"].isin(set(rescalings))]
    scored = []
    for metric_name, metric_rows in rows.drop(copies.index).groupby("metric_name", sort=True):
        family = series_family(metric_rows, units.get(metric_name))
        scored.append(
            score_metric(metric_matrix(metric_rows, dates, family), dates, settings.forecast)
        )
    scored = [frame for frame in scored if len(frame)]
    if not scored:
        return empty_result()
    result = decide(pd.concat(scored, ignore_index=True), catalogue, settings)
    copied = [
        copy_rescaled(result, rescalings[metric_name], own_rows, catalogue)
        for metric_name, own_rows in copies.groupby("metric_name", sort=True)
    ]
    return pd.concat([result, *copied], ignore_index=True)
