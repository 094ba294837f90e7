"""Anomaly detection on synthetic series: baseline, bands, p-values and FDR against
independent computations (pandas, statsmodels, planted effects of known size)."""

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from evaluation.anomaly_recall import alarm_events
from python_checks.monitoring.anomalies import (
    ANOMALY_COLUMNS,
    DetectionSettings,
    Rescaling,
    detect_anomalies,
    rescaled_metrics,
)
from python_checks.monitoring.forecast import (
    ForecastSettings,
    centred_weekly_mean,
    first_scorable_day,
    floor_at_sibling_median,
    forecast,
    quantile_scale,
)
from python_checks.stats.robust import mad_small_sample_factor, row_nanmedian, row_nanquantile
from python_checks.stats.variance_functions import VarianceKind

WEEKLY_PATTERN = np.array([0.95, 0.93, 0.95, 0.97, 1.05, 1.12, 1.1])  # the simulator's
START = pd.Timestamp("2026-09-07")  # a Monday, like the simulated data


def catalogue(*metrics: tuple[str, str, str]) -> pd.DataFrame:
    """(metric_name, direction, comma-separated allowed dimensions) -> a catalogue of
    certified metrics, allowed_dimensions as tuples like the warehouse layer reads them."""
    return pd.DataFrame(
        {
            "metric_name": [m[0] for m in metrics],
            "metric_type": "simple",
            "status": "certified",
            "direction": [m[1] for m in metrics],
            "allowed_dimensions": [tuple(filter(None, m[2].split(","))) for m in metrics],
            "unit": "views",
        }
    )


def count_series(
    metric: str, means: np.ndarray, rng: np.random.Generator, dimension_value: str = "total"
) -> pd.DataFrame:
    """Poisson counts with the given daily means as metric_daily rows."""
    days = len(means)
    return pd.DataFrame(
        {
            "metric_date": pd.date_range(START, periods=days),
            "metric_name": metric,
            "dimension_name": "total" if dimension_value == "total" else "region",
            "dimension_value": dimension_value,
            "value": rng.poisson(means).astype(float),
            "numerator": np.nan,
            "denominator": np.nan,
        }
    )


def seasonal_means(level: float, days: int, daily_growth: float = 0.002) -> np.ndarray:
    day = np.arange(days)
    return level * WEEKLY_PATTERN[day % 7] * (1 + daily_growth) ** day


def test_centred_weekly_mean_matches_pandas_rolling():
    values = np.random.default_rng(0).normal(size=(3, 30))
    expected = pd.DataFrame(values.T).rolling(7, center=True).mean().to_numpy().T
    np.testing.assert_allclose(centred_weekly_mean(values), expected, equal_nan=True)


def test_forecast_reproduces_a_noiseless_weekly_pattern():
    means = seasonal_means(1000, 42, daily_growth=0.0)[None, :]
    baseline = forecast(means, np.ones_like(means), VarianceKind.POISSON, True)
    scored = slice(first_scorable_day(), None)
    np.testing.assert_allclose(baseline.expected[:, scored], means[:, scored], rtol=1e-12)
    assert np.isnan(baseline.expected[:, : first_scorable_day()]).all()


def test_forecast_follows_slow_growth():
    means = seasonal_means(1000, 56, daily_growth=0.005)[None, :]
    baseline = forecast(means, np.ones_like(means), VarianceKind.POISSON, True)
    error = baseline.expected[0, 21:] / means[0, 21:] - 1
    assert np.abs(error).max() < 0.005  # without the trend the lag is 4 days x 0.5% = 2%


MAD_ONLY = ForecastSettings(tail_quantile=None, floor_phi_at_siblings=False)


@pytest.mark.parametrize("day", [16, 20, 55])  # from weekly differences; from forecast errors
def test_phi_of_doubled_poisson_counts_is_two(day):
    # 2 x Poisson(m) has variance 4 m = 2 x its mean: quasi-Poisson phi = 2. Once phi comes
    # from forecast errors this also checks the forecast's variance inflation.
    rng = np.random.default_rng(3)
    means = np.broadcast_to(seasonal_means(500, 56), (400, 56))
    values = 2.0 * rng.poisson(means)
    baseline = forecast(values, np.ones_like(values), VarianceKind.POISSON, True, MAD_ONLY)
    assert np.nanmedian(baseline.phi[:, day]) == pytest.approx(2.0, rel=0.1)
    # The tail-quantile scale is the larger of two estimates: phi a little above 2, no less.
    with_tails = forecast(values, np.ones_like(values), VarianceKind.POISSON, True)
    assert 2.0 <= np.nanmedian(with_tails.phi[:, day]) <= 2.6


@pytest.mark.parametrize(("noise", "expected"), [("normal", 1.0), ("t3", 2.353 / 1.645)])
def testquantile_scale_reads_the_tails(noise, expected):
    # The 0.9 quantile of |x| over the normal's (1.645) is 1 for normal noise and, for a
    # Student t with 3 df, t.ppf(0.95, 3) / norm.ppf(0.95) = 2.353 / 1.645 (scipy).
    rng = np.random.default_rng(4)
    sample = rng.normal(size=(1, 200_000)) if noise == "normal" else rng.standard_t(3, (1, 200_000))
    assert quantile_scale(sample, np.zeros(1), 0.9)[0] == pytest.approx(expected, rel=0.02)
    assert stats.t.ppf(0.95, 3) / stats.norm.ppf(0.95) == pytest.approx(2.353 / 1.645, rel=1e-3)


def test_floor_at_sibling_median_by_hand():
    phi = np.array([[1.0, 5.0], [2.0, 1.0], [4.0, 1.0], [9.0, 0.5], [0.5, 0.5]])
    groups = np.array(["total", "region", "region", "region", "device"])
    floored = floor_at_sibling_median(phi, groups, exempt=groups == "total")
    # Regions: medians 4.0 and 1.0 per day; the total and a lone device slice keep theirs.
    expected = np.array([[1.0, 5.0], [4.0, 1.0], [4.0, 1.0], [9.0, 1.0], [0.5, 0.5]])
    np.testing.assert_array_equal(floored, expected)


def test_mad_small_sample_factor_makes_the_mad_unbiased():
    rng = np.random.default_rng(8)
    for n in (5, 12):
        sample = rng.normal(size=(50_000, n))
        mad = np.median(np.abs(sample - np.median(sample, axis=1, keepdims=True)), axis=1)
        corrected = 1.4826 * mad * mad_small_sample_factor(np.array([n]))[0]
        assert corrected.mean() == pytest.approx(1.0, abs=0.02)


def random_blocks_with_gaps(seed: int) -> list[np.ndarray]:
    """Blocks of varied shape, ties and NaN density, each with an all-NaN row and a row of one
    value."""
    rng = np.random.default_rng(seed)
    blocks = []
    for _ in range(200):
        block = rng.normal(size=(rng.integers(2, 20), rng.integers(1, 40)))
        if rng.random() < 0.3:
            block = np.round(block)
        block[rng.random(block.shape) < rng.random()] = np.nan
        block[0] = np.nan
        block[1] = np.nan
        block[1, rng.integers(block.shape[1])] = 1.5
        blocks.append(block)
    return blocks


@pytest.mark.parametrize("q", [0.0, 0.25, 0.5, 0.9, 1.0])
def test_row_nanquantile_is_numpys_nanquantile(q):
    for block in random_blocks_with_gaps(11):
        with pytest.warns(RuntimeWarning, match="All-NaN"):
            expected = np.nanquantile(block, q, axis=1)
        np.testing.assert_allclose(row_nanquantile(block, q), expected, rtol=1e-12, atol=0)


def test_row_nanmedian_is_numpys_nanmedian():
    for block in random_blocks_with_gaps(12):
        with pytest.warns(RuntimeWarning, match="All-NaN"):
            expected = np.nanmedian(block, axis=1)
        np.testing.assert_allclose(row_nanmedian(block), expected, rtol=1e-12, atol=0)


def test_row_quantiles_of_rows_without_a_value_are_nan_without_a_warning():
    block = np.array([[np.nan, np.nan], [np.nan, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(row_nanquantile(block, 0.9), [np.nan, 2.0])
        np.testing.assert_array_equal(row_nanmedian(block), [np.nan, 2.0])


def test_small_denominator_gets_a_wider_band_than_a_large_one_at_the_same_rate():
    rng = np.random.default_rng(5)
    days = 42
    frames = []
    for slice_name, views in (("small", 50), ("large", 50_000)):
        completed = rng.binomial(views, 0.5, size=days)
        frames.append(
            pd.DataFrame(
                {
                    "metric_date": pd.date_range(START, periods=days),
                    "metric_name": "completion_rate",
                    "dimension_name": "region",
                    "dimension_value": slice_name,
                    "value": completed / views,
                    "numerator": completed.astype(float),
                    "denominator": float(views),
                }
            )
        )
    result = detect_anomalies(
        pd.concat(frames), catalogue(("completion_rate", "higher_is_better", "region"))
    )
    width = (result["upper"] - result["lower"]).groupby(result["dimension_value"]).median()
    # Binomial noise: the band scales with 1 / sqrt(views), a factor of sqrt(1000) ~ 32.
    assert width["small"] / width["large"] == pytest.approx(np.sqrt(1000), rel=0.5)


def test_band_width_follows_the_days_denominator():
    # One proportion series whose daily denominator varies 100-fold: with the rate steady,
    # the band's half-width scales as 1 / sqrt(denominator that day), a slope of -1/2 on
    # log-log (the series' own phi and the forecast are nearly constant across days).
    rng = np.random.default_rng(6)
    days = 56
    views = np.round(np.exp(rng.uniform(np.log(100), np.log(10_000), size=days)))
    completed = rng.binomial(views.astype(int), 0.3)
    rows = pd.DataFrame(
        {
            "metric_date": pd.date_range(START, periods=days),
            "metric_name": "completion_rate",
            "dimension_name": "total",
            "dimension_value": "total",
            "value": completed / views,
            "numerator": completed.astype(float),
            "denominator": views,
        }
    )
    result = detect_anomalies(rows, catalogue(("completion_rate", "higher_is_better", "")))
    day_views = result["metric_date"].map(
        dict(zip(rows["metric_date"].dt.date, views, strict=True))
    )
    slope = np.polyfit(np.log(day_views), np.log(result["upper"] - result["expected"]), 1)[0]
    assert slope == pytest.approx(-0.5, abs=0.05)


def noise_run(n_series: int = 300, days: int = 42, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    levels = rng.uniform(20, 2000, size=n_series)
    return pd.concat(
        count_series("views", seasonal_means(level, days), rng, f"s{i}")
        for i, level in enumerate(levels)
    )


def test_pure_poisson_noise_gives_calibrated_p_values_and_almost_no_alarms():
    result = detect_anomalies(noise_run(), catalogue(("views", "higher_is_better", "region")))
    assert len(result) == 300 * (42 - first_scorable_day())
    # Conservative p-values: the noise SD is the larger of the MAD's and the tail quantile's
    # (and at least the sibling slices' median), so fewer than 5% fall below 0.05 ...
    assert 0.01 <= (result["p_value"] < 0.05).mean() <= 0.05
    # ... and with the MAD alone they are calibrated (slightly conservative).
    mad_only = detect_anomalies(
        noise_run(),
        catalogue(("views", "higher_is_better", "region")),
        settings=DetectionSettings(forecast=MAD_ONLY),
    )
    assert 0.025 <= (mad_only["p_value"] < 0.05).mean() <= 0.06
    # ... and under the global null BH at 1% rejects nothing in about 99% of runs.
    assert result["is_anomaly"].sum() <= 1


def test_q_values_are_statsmodels_benjamini_hochberg_over_the_whole_run():
    result = detect_anomalies(noise_run(50), catalogue(("views", "higher_is_better", "region")))
    expected = multipletests(result["p_value"], method="fdr_bh")[1]
    np.testing.assert_allclose(result["q_value"], expected)


def planted_run(change: float, level: float = 1000.0, n_series: int = 60) -> pd.DataFrame:
    """Poisson noise series; series s0 moves by `change` (relative) on day 35."""
    frame = noise_run(n_series)
    rng = np.random.default_rng(99)
    planted = count_series("views", seasonal_means(level, 42), rng, "s0")
    day_35 = planted["metric_date"] == START + pd.Timedelta(days=35)
    planted.loc[day_35, "value"] = np.round(seasonal_means(level, 42)[35] * (1 + change))
    return pd.concat([frame[frame["dimension_value"] != "s0"], planted])


@pytest.mark.parametrize(
    ("change", "direction", "is_bad"), [(0.4, "up", False), (-0.4, "down", True)]
)
def test_a_planted_spike_is_the_only_anomaly(change, direction, is_bad):
    result = detect_anomalies(
        planted_run(change), catalogue(("views", "higher_is_better", "region"))
    )
    alarms = result[result["is_anomaly"]]
    assert len(alarms) == 1
    alarm = alarms.iloc[0]
    assert (alarm["dimension_value"], str(alarm["metric_date"])) == ("s0", "2026-10-12")
    assert alarm["direction"] == direction
    assert alarm["is_bad_direction"] == is_bad


def test_lower_is_better_flips_the_bad_direction():
    result = detect_anomalies(planted_run(0.4), catalogue(("views", "lower_is_better", "region")))
    assert result.loc[result["is_anomaly"], "is_bad_direction"].tolist() == [True]


def test_a_significant_but_tiny_move_of_a_huge_series_is_no_alarm():
    # +2% of 10 million is ~50 Poisson standard deviations but below the 5% minimum change.
    result = detect_anomalies(
        planted_run(0.02, level=1e7), catalogue(("views", "higher_is_better", "region"))
    )
    point = result[
        (result["dimension_value"] == "s0") & (result["metric_date"].astype(str) == "2026-10-12")
    ].iloc[0]
    assert point["q_value"] < 0.01
    assert not point["is_anomaly"]
    loose = detect_anomalies(
        planted_run(0.02, level=1e7),
        catalogue(("views", "higher_is_better", "region")),
        settings=DetectionSettings(min_relative_change=0.0),
    )
    # Without the floor the move is an alarm (so are the forecast's own sub-percent biases
    # on a series this large: the reason for the floor).
    loose_point = loose[
        (loose["dimension_value"] == "s0") & (loose["metric_date"].astype(str) == "2026-10-12")
    ]
    assert loose_point["is_anomaly"].item()


def test_band_and_flag_agree():
    result = detect_anomalies(planted_run(-0.4), catalogue(("views", "higher_is_better", "region")))
    # The band edge sits at the largest p-value BH rejected: closed band, flags on the edge.
    outside = (result["value"] <= result["lower"]) | (result["value"] >= result["upper"])
    assert (outside == result["is_anomaly"]).all()
    assert result["is_anomaly"].sum() == 1


def test_only_certified_metrics_on_allowed_dimensions_are_scored():
    rng = np.random.default_rng(2)
    means = seasonal_means(100, 28)
    rows = pd.concat(
        [
            count_series("views", means, rng),
            count_series("views", means, rng, "BR"),
            count_series("old_views", means, rng),
        ]
    )
    metrics = catalogue(
        ("views", "higher_is_better", "device"), ("old_views", "higher_is_better", "")
    )
    metrics.loc[metrics["metric_name"] == "old_views", "status"] = "deprecated"
    result = detect_anomalies(rows, metrics)
    assert list(result.columns) == list(ANOMALY_COLUMNS)
    assert set(zip(result["metric_name"], result["dimension_name"], strict=True)) == {
        ("views", "total")
    }
    assert str(result["metric_date"].min()) == "2026-09-21"  # day 15: two weeks of warm-up


def test_bad_input_names_the_table_and_column():
    rows = count_series("views", seasonal_means(100, 28), np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"metric_daily: missing column.*denominator"):
        detect_anomalies(rows.drop(columns="denominator"), catalogue(("views", "up", "")))
    with pytest.raises(ValueError, match=r"metric_catalogue: direction.*views"):
        detect_anomalies(rows, catalogue(("views", "up", "")))


def rescaling_catalogue(
    factor: float | None, hours_dimensions: str = "region", base_status: str = "certified"
) -> pd.DataFrame:
    """watch_ms and watch_hours = factor x watch_ms (None: not a rescaling), as the catalogue
    states it in scaled_metric and scale_factor."""
    frame = catalogue(
        ("watch_ms", "higher_is_better", "region"), ("watch_hours", "lower_is_better", "")
    )
    frame["allowed_dimensions"] = [("region",), tuple(hours_dimensions.split(","))]
    frame["metric_type"] = ["simple", "derived"]
    frame["status"] = [base_status, "certified"]
    frame["scaled_metric"] = [None, None if factor is None else "watch_ms"]
    frame["scale_factor"] = [None, factor]
    return frame


@pytest.mark.parametrize("factor", [1 / 3.6e6, 2.0, 1000.0])
def test_rescaled_metrics_are_read_from_the_catalogue(factor):
    rescalings = rescaled_metrics(rescaling_catalogue(factor))
    assert rescalings == {"watch_hours": Rescaling("watch_hours", "watch_ms", factor)}


def test_a_chain_of_rescalings_resolves_to_its_root():
    frame = rescaling_catalogue(1 / 3.6e6)
    days = frame.iloc[[1]].assign(
        metric_name="watch_days", scaled_metric="watch_hours", scale_factor=1 / 24
    )
    rescalings = rescaled_metrics(pd.concat([frame, days], ignore_index=True))
    assert rescalings["watch_days"].base_metric == "watch_ms"
    assert rescalings["watch_days"].factor == pytest.approx(1 / 3.6e6 / 24)


@pytest.mark.parametrize(
    ("factor", "hours_dimensions", "base_status"),
    [
        (None, "region", "certified"),  # not a rescaling
        (1 / 3.6e6, "region,device", "certified"),  # a slice its base does not score
        (1 / 3.6e6, "region", "experimental"),  # its base is not scored at all
    ],
)
def test_other_metrics_are_not_rescalings(factor, hours_dimensions, base_status):
    assert rescaled_metrics(rescaling_catalogue(factor, hours_dimensions, base_status)) == {}


def test_a_rescaled_metric_is_its_base_tested_once():
    rows = planted_run(-0.4, n_series=20)
    hours = rows.assign(metric_name="watch_hours", value=rows["value"] / 3.6e6)
    metrics = rescaling_catalogue(1 / 3.6e6)
    result = detect_anomalies(pd.concat([rows.assign(metric_name="watch_ms"), hours]), metrics)
    key = ["dimension_value", "metric_date"]
    base = result[result["metric_name"] == "watch_ms"].sort_values(key).reset_index(drop=True)
    copy = result[result["metric_name"] == "watch_hours"].sort_values(key).reset_index(drop=True)
    assert len(copy) == len(base) > 0
    for column in ("value", "expected", "lower", "upper"):
        np.testing.assert_allclose(copy[column], base[column] / 3.6e6)
    for column in ("score", "p_value", "q_value", "is_anomaly", "direction"):
        assert copy[column].tolist() == base[column].tolist()
    # One hypothesis: BH runs over the base's p-values only.
    np.testing.assert_allclose(base["q_value"], multipletests(base["p_value"], method="fdr_bh")[1])
    # watch_hours is lower_is_better: its drop is not bad, the base's is.
    alarm = copy["is_anomaly"]
    assert copy.loc[alarm, "is_bad_direction"].tolist() == [False]
    assert base.loc[alarm, "is_bad_direction"].tolist() == [True]


def test_a_slice_that_starts_late_has_no_history_of_zeros():
    # A new app version appears on day 21 and ramps up; before, it did not exist (no rows),
    # which is not a run of zeros: it is scored only after 14 days of its own.
    rng = np.random.default_rng(12)
    means = seasonal_means(1000, 42)
    total = count_series("views", means, rng)
    new = count_series("views", means * np.clip((np.arange(42) - 20) / 7, 0, 1), rng, "31.2")
    new = new[new["metric_date"] >= START + pd.Timedelta(days=21)]
    result = detect_anomalies(
        pd.concat([total, new]), catalogue(("views", "higher_is_better", "region"))
    )
    scored = result[result["dimension_value"] == "31.2"]
    assert str(scored["metric_date"].min()) == "2026-10-12"  # day 35 = 21 + 14
    assert not scored["is_anomaly"].any()


def test_alarm_events_collapse_slices_under_a_flagged_total():
    day, other_day = dt.date(2026, 9, 28), dt.date(2026, 9, 29)
    flagged = pd.DataFrame(
        [
            ("views", "total", "total", day),
            ("views", "region", "BR", day),
            ("views", "device", "ios", day),
            ("views", "region", "BR", other_day),  # no flagged total that day: its own event
            ("likes", "region", "BR", day),  # another metric: its own event
        ],
        columns=["metric_name", "dimension_name", "dimension_value", "metric_date"],
    )
    events = alarm_events(flagged).sort_values(["metric_name", "metric_date"])
    assert events.values.tolist() == [
        ["likes", day, "region", "BR", 1],
        ["views", day, "total", "total", 3],
        ["views", other_day, "region", "BR", 1],
    ]
