"""Day-of-week-aware robust forecast and noise scale for many daily series at once.

Every function works on a matrix with one row per series and one column per day of a common,
gap-free date grid; NaN marks a day without a value. The forecast for day t only reads days
before t, so each day is scored against a forecast it could not influence.

Model (multiplicative for non-negative series, additive for series that can be negative):

    value_t = level_t * season_{weekday(t)} * noise      (or level + season + noise)

- season: for each weekday, the median over the last `season_weeks` weeks of the ratio of that
  day to its centred 7-day mean (a full week, so the weekly pattern cancels in the mean);
  normalised to average 1 (0 when additive). A centred mean for day s needs s + 3 < t.
- level: the median of the deseasonalised last 7 days (centred four days before t), moved to t
  by a trend, the change between that median and the one of the 7 days before it.
- noise: quasi-likelihood, Var(value_t) = phi * V(mean_t) / denominator_t with V(m) = m
  (counts and sums: quasi-Poisson), m (1 - m) (proportions of counts: quasi-binomial) or 1
  (signed series). phi comes from a robust SD (the larger of the MAD's and a tail
  quantile's) of the series' standardised forecast errors over the past `spread_days`
  days, or, until there are `min_residuals` of them, of its standardised week-over-week
  differences (value_s - value_{s-7}): differencing a week apart cancels the weekly pattern
  and needs no fitted baseline, so it is available early and is not shrunk by overfitting
  a short history. `floor_at_sibling_median` raises a slice's phi to its siblings' median.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import stats

from python_checks.stats.robust import (
    MAD_TO_SD,
    mad_small_sample_factor,
    row_nanmedian,
    row_nanquantile,
)
from python_checks.stats.variance_functions import VarianceKind, variance_function

WEEK = 7


@dataclass(frozen=True)
class ForecastSettings:
    """Tuning of the forecast; the defaults are the documented choice."""

    season_weeks: int = 4  # weeks whose same-weekday ratios enter the seasonal median
    spread_days: int = 28  # past days whose week-over-week differences estimate phi
    use_trend: bool = True  # extrapolate the week-over-week change of the level to day t
    max_daily_trend: float = 0.01  # cap on the trend's relative change per day (see _level_at)
    min_residuals: int = 7  # forecast errors needed before phi is taken from them
    # The noise SD is at least this quantile of |standardised error| over the normal's (None:
    # the MAD alone); see _robust_phi.
    tail_quantile: float | None = 0.9
    # Raise a slice's phi to the median of its sibling slices' (floor_at_sibling_median).
    floor_phi_at_siblings: bool = True


@dataclass(frozen=True)
class Forecast:
    """Per series and day: the forecast, its weeks of seasonal history, phi and its sample,
    the denominator-weighted mean of the `spread_days` before the day, and the variance of
    the forecast error divided by phi."""

    expected: np.ndarray
    season_weeks_used: np.ndarray
    phi: np.ndarray
    phi_sample_size: np.ndarray
    recent_mean: np.ndarray
    unit_variance: np.ndarray  # Var(value - expected) / phi


def first_scorable_day() -> int:
    """Index of the first grid day that can get a forecast.

    A seasonal factor for every weekday needs centred means for seven consecutive days, the
    first centred at day 3 and the last at t - 4 (its window must end before t): t >= 13.
    The trend needs two full weeks of deseasonalised values before t: t >= 14.
    """
    return 2 * WEEK


def centred_weekly_mean(values: np.ndarray) -> np.ndarray:
    """Mean of the 7 days centred on each day (NaN where the window is incomplete)."""
    out = np.full(values.shape, np.nan)
    if values.shape[1] >= WEEK:
        out[:, 3:-3] = sliding_window_view(values, WEEK, axis=1).mean(axis=-1)
    return out


def seasonal_ratios(values: np.ndarray, multiplicative: bool) -> np.ndarray:
    """Each day's departure from its centred weekly mean: a ratio, or a difference."""
    centred = centred_weekly_mean(values)
    if not multiplicative:
        return values - centred
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(centred > 0, values / centred, np.nan)


def _weekday_factors(
    ratios: np.ndarray, t: int, season_weeks: int, multiplicative: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Seasonal factor per series for the 7 grid weekdays (columns t-7 .. t-1 modulo 7), as
    known before day t, and how many weeks entered each (rows: series, columns: t mod 7 order).

    Column k of the result is the factor of the weekday of grid days congruent to k mod 7.
    """
    n_series = ratios.shape[0]
    factors = np.full((n_series, WEEK), np.nan)
    weeks_used = np.zeros((n_series, WEEK))
    last_usable = t - 4  # the centred window of day s ends at s + 3, which must precede t
    for offset in range(WEEK):
        day = last_usable - offset
        columns = [d for d in range(day, day - WEEK * season_weeks, -WEEK) if d >= 3]
        if not columns:
            continue
        block = ratios[:, columns]
        factors[:, day % WEEK] = row_nanmedian(block)
        weeks_used[:, day % WEEK] = (~np.isnan(block)).sum(axis=1)
    if multiplicative:
        with np.errstate(divide="ignore", invalid="ignore"):
            factors = factors / factors.mean(axis=1, keepdims=True)
    else:
        factors = factors - factors.mean(axis=1, keepdims=True)
    return factors, weeks_used


def _level_at(
    values: np.ndarray,
    factors: np.ndarray,
    t: int,
    multiplicative: bool,
    settings: ForecastSettings,
) -> np.ndarray:
    """Deseasonalised level extrapolated to day t from the two weeks before it.

    The trend is meant for slow drift (growth of a fraction of a percent a day); it is capped
    at `max_daily_trend` so that a ramp (a slice being rolled out, a count filling up) is not
    extrapolated into a forecast far beyond anything observed.
    """
    days = np.arange(t - 2 * WEEK, t)
    season = factors[:, days % WEEK]
    with np.errstate(divide="ignore", invalid="ignore"):
        deseasonalised = values[:, days] / season if multiplicative else values[:, days] - season
    last_week = row_nanmedian(deseasonalised[:, WEEK:])
    if not settings.use_trend:
        return last_week
    week_before = row_nanmedian(deseasonalised[:, :WEEK])
    # The last week's median sits 4 days before t (its centre is t - 4).
    steps = (WEEK // 2 + 1) / WEEK
    cap = settings.max_daily_trend * (WEEK // 2 + 1)
    if not multiplicative:
        trend = np.where(np.isnan(week_before), 0.0, (last_week - week_before) * steps)
        limit = cap * np.abs(last_week)
        return last_week + np.clip(trend, -limit, limit)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(
            (week_before > 0) & (last_week > 0), (last_week / week_before) ** steps, 1.0
        )
    return last_week * np.clip(growth, 1 - cap, 1 + cap)


def standardised_weekly_differences(
    values: np.ndarray, denominators: np.ndarray, kind: VarianceKind
) -> np.ndarray:
    """(value_s - value_{s-7}) / sqrt(V(pooled) (1/d_s + 1/d_{s-7})): unit variance times phi.

    The pooled mean is the denominator-weighted mean of the two days (their plain mean for
    series without a denominator). Column s holds the difference ending on day s.
    """
    out = np.full(values.shape, np.nan)
    now, before = values[:, WEEK:], values[:, :-WEEK]
    d_now, d_before = denominators[:, WEEK:], denominators[:, :-WEEK]
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (now * d_now + before * d_before) / (d_now + d_before)
        scale = variance_function(pooled, kind) * (1 / d_now + 1 / d_before)
        out[:, WEEK:] = np.where(scale > 0, (now - before) / np.sqrt(scale), np.nan)
    return out


def quantile_scale(block: np.ndarray, centre: np.ndarray, quantile: float) -> np.ndarray:
    """Row-wise `quantile` of |value - centre| over the normal's: an SD estimate that, unlike
    the MAD (the 0.5 quantile), grows with the weight of the tails."""
    with np.errstate(invalid="ignore"):  # inf - inf: a series with infinite errors
        deviations = np.abs(block - centre[:, None])
    return row_nanquantile(deviations, quantile) / stats.norm.ppf(0.5 + quantile / 2)


def _robust_phi(
    standardised: np.ndarray, t: int, spread_days: int, tail_quantile: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """phi = the squared robust SD of standardised errors of the `spread_days` days before t,
    and how many there were.

    The robust SD is 1.4826 * MAD, or the scale read from the `tail_quantile` of the
    absolute deviations if that is larger (heavy tails: a few viral posts of a few creators
    move a creator-side slice far more often than a normal with the MAD's SD allows). The MAD
    of a few values underestimates the spread; it is multiplied by the small-sample factor
    of Croux and Rousseeuw (1992). When more than half of the values are equal (a sparse
    series that is zero on most days) the MAD is 0 and says nothing; their mean square is
    used instead.
    """
    block = standardised[:, max(0, t - spread_days) : t]
    centre = row_nanmedian(block)
    with np.errstate(invalid="ignore"):  # inf - inf: a series with infinite errors
        mad = row_nanmedian(np.abs(block - centre[:, None]))
    sample_size = (~np.isnan(block)).sum(axis=1)
    robust = (MAD_TO_SD * mad * mad_small_sample_factor(sample_size)) ** 2
    if tail_quantile is not None:
        robust = np.fmax(robust, quantile_scale(block, centre, tail_quantile) ** 2)
    mean_square = np.full(robust.shape, np.nan)
    has_value = sample_size > 0
    mean_square[has_value] = np.nanmean(block[has_value] ** 2, axis=1)
    return np.where(robust > 0, robust, mean_square), sample_size


def _recent_mean(values: np.ndarray, denominators: np.ndarray, t: int, days: int) -> np.ndarray:
    """Denominator-weighted mean of the last `days` days before t (sum of numerators over sum
    of denominators for a ratio)."""
    window = slice(max(0, t - days), t)
    present = ~np.isnan(values[:, window])
    numerators = np.where(present, values[:, window] * denominators[:, window], 0.0)
    weights = np.where(present, denominators[:, window], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return numerators.sum(axis=1) / weights.sum(axis=1)


def unit_variance(
    expected: np.ndarray,
    recent_mean: np.ndarray,
    denominators: np.ndarray,
    kind: VarianceKind,
    season_weeks_used: np.ndarray,
    use_trend: bool,
) -> np.ndarray:
    """Var(value - expected) / phi: V(mean) / denominator times the forecast's inflation.

    V is taken at the forecast or at the recent mean, whichever is larger: a forecast of 0
    shares for a slice with a share every few days is itself uncertain, and V(0) = 0 would
    make one share look impossible.
    """
    v_mean = np.maximum(variance_function(expected, kind), variance_function(recent_mean, kind))
    return v_mean / denominators * forecast_variance_inflation(season_weeks_used, use_trend)


def forecast(
    values: np.ndarray,
    denominators: np.ndarray,
    kind: VarianceKind,
    multiplicative: bool,
    settings: ForecastSettings = ForecastSettings(),
) -> Forecast:
    """One-day-ahead forecasts and noise scales for every series and grid day.

    `values` and `denominators` are (series x days) on a gap-free daily grid whose first
    column is day 0; use a matrix of ones as denominators for series without one. Days before
    `first_scorable_day()`, days of a series with fewer than that many earlier values, and
    days without enough history for every weekday's factor get NaN.

    phi for day t comes from the series' own standardised forecast errors of the days
    before t once there are `min_residuals` of them, and from its standardised
    week-over-week differences until then.
    """
    shape = values.shape
    expected = np.full(shape, np.nan)
    weeks_used = np.zeros(shape)
    phi = np.full(shape, np.nan)
    phi_n = np.zeros(shape)
    recent_mean = np.full(shape, np.nan)
    unit_var = np.full(shape, np.nan)
    residuals = np.full(shape, np.nan)
    ratios = seasonal_ratios(values, multiplicative)
    differences = standardised_weekly_differences(values, denominators, kind)
    # A series that starts late (or has gaps) needs two weeks of its own values too.
    observed_before = np.cumsum(~np.isnan(values), axis=1) - ~np.isnan(values)
    for t in range(first_scorable_day(), shape[1]):
        factors, weeks = _weekday_factors(ratios, t, settings.season_weeks, multiplicative)
        level = _level_at(values, factors, t, multiplicative, settings)
        season_today = factors[:, t % WEEK]
        with np.errstate(invalid="ignore"):
            expected[:, t] = level * season_today if multiplicative else level + season_today
        expected[observed_before[:, t] < first_scorable_day(), t] = np.nan
        weeks_used[:, t] = weeks[:, t % WEEK]
        recent_mean[:, t] = _recent_mean(values, denominators, t, settings.spread_days)
        unit_var[:, t] = unit_variance(
            expected[:, t],
            recent_mean[:, t],
            denominators[:, t],
            kind,
            weeks_used[:, t],
            settings.use_trend,
        )
        from_differences, n_differences = _robust_phi(
            differences, t, settings.spread_days, settings.tail_quantile
        )
        from_residuals, n_residuals = _robust_phi(
            residuals, t, settings.spread_days, settings.tail_quantile
        )
        enough = n_residuals >= settings.min_residuals
        phi[:, t] = np.where(enough, from_residuals, from_differences)
        phi_n[:, t] = np.where(enough, n_residuals, n_differences)
        with np.errstate(divide="ignore", invalid="ignore"):
            residuals[:, t] = (values[:, t] - expected[:, t]) / np.sqrt(unit_var[:, t])
    return Forecast(expected, weeks_used, phi, phi_n, recent_mean, unit_var)


def floor_at_sibling_median(phi: np.ndarray, groups: np.ndarray, exempt: np.ndarray) -> np.ndarray:
    """phi raised, day by day, to the median phi of the series in its group (the slices of one
    dimension of one metric); rows marked `exempt` (the total, which has no siblings) and
    groups of one series keep their own.

    A slice's phi comes from 7 to 28 of its own errors; sibling slices share the process
    that makes them overdispersed (a region's creator-side views depend on a few creators in
    every region). Until a slice has shown a hit, its own estimate is too quiet, and the
    siblings' median is a better floor than Poisson.
    """
    floored = phi.copy()
    for group in np.unique(groups[~exempt]):
        rows = np.flatnonzero((groups == group) & ~exempt)
        if len(rows) > 1:
            typical = row_nanmedian(phi[rows].T)
            floored[rows] = np.fmax(phi[rows], typical[None, :])
    return floored


def forecast_variance_inflation(season_weeks_used: np.ndarray, use_trend: bool) -> np.ndarray:
    """Var(value - expected) / Var(value): the forecast's own error added to the day's noise.

    In units of one day's variance: the seasonal factor is a median of `weeks` daily ratios
    (variance 1/weeks for one or two, whose median is their mean; (pi/2)/weeks, the
    large-sample variance of a median, from three on), the level a median of
    7 days (pi/2 / 7, the large-sample relative variance of a median), and the trend, the
    difference of two such medians scaled by 4/7, adds (4/7)^2 * 2 * (pi/2) / 7.
    """
    median_of_week = (np.pi / 2) / WEEK
    trend = (4 / WEEK) ** 2 * 2 * median_of_week if use_trend else 0.0
    with np.errstate(divide="ignore"):
        season = np.where(season_weeks_used > 0, 1 / season_weeks_used, np.nan)
    season = np.where(season_weeks_used >= 3, season * np.pi / 2, season)
    return 1 + season + median_of_week + trend
