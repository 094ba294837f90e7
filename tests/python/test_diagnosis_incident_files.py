"""Incident files in every supported layout give the planted root cause; errors name the
file and the column."""

import numpy as np
import pandas as pd
import pytest

from evaluation.incident_cubes import planted_cube
from evaluation.reference_methods import localize_with_one_rate
from python_checks.diagnosis.incident_files import detect_layout, localize_frame, localize_incident
from python_checks.stats.robust import weighted_median

SIZES = (8, 10, 6, 5)
CULPRIT = {"d0": "d0_v5", "d1": "d1_v1"}


def ratio_cube(seed: int = 3) -> pd.DataFrame:
    return planted_cube(SIZES, CULPRIT, effect=3.0, seed=seed, ratio=True, noise=0.05)


def test_real_and_predict_columns(tmp_path):
    cube = planted_cube(SIZES, CULPRIT, effect=-0.6, seed=4, noise=0.1)
    path = tmp_path / "1450653900.csv"
    cube.rename(columns={"actual": "real", "expected": "predict"}).to_csv(path, index=False)
    result = localize_incident(path)
    assert result.root_causes == (CULPRIT,)


def test_two_periods_of_failed_and_total(tmp_path):
    cube = ratio_cube().rename(
        columns={
            "actual_failed": "failed",
            "actual_total": "total",
            "expected_failed": "failed_baseline",
            "expected_total": "total_baseline",
        }
    )
    path = tmp_path / "incident.csv"
    cube.to_csv(path, index=False)
    layout = detect_layout(list(cube.columns), str(path))
    assert (layout.format, layout.dimensions) == ("two_periods", ("d0", "d1", "d2", "d3"))
    assert localize_incident(path).root_causes == (CULPRIT,)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_period_without_a_baseline(tmp_path, seed):
    cube = ratio_cube(seed)[["d0", "d1", "d2", "d3", "actual_failed", "actual_total"]]
    path = tmp_path / "incident.csv"
    cube.rename(columns={"actual_failed": "errors", "actual_total": "sessions"}).to_csv(
        path, index=False
    )
    assert detect_layout(["d0", "errors", "sessions"], "x").format == "one_period"
    assert localize_incident(path).root_causes == (CULPRIT,)


def test_weighted_median_by_brute_force():
    rng = np.random.default_rng(0)
    total = rng.integers(1, 30, size=25).astype(float)
    failed = rng.binomial(total.astype(int), 0.1).astype(float)
    sessions = np.repeat(failed / total, total.astype(int))  # one rate per session
    lower = np.sort(sessions)[(len(sessions) - 1) // 2]
    upper = np.sort(sessions)[len(sessions) // 2]
    assert lower <= weighted_median(failed / total, total) <= upper


def robustspot_like(seed: int = 5) -> tuple[pd.DataFrame, int]:
    """Five minutes of leaves with integer-coded dimensions; minute 4 breaks cdn 3 x p2p 1."""
    rng = np.random.default_rng(seed)
    rows = []
    for minute in range(5):
        for cdn in (1, 3, 5, 7):
            for bitrate in (500, 1200, 2000):
                for p2p in (0, 1):
                    for device in ("C1", "C3", "C8"):
                        sessions = int(rng.integers(50, 400))
                        rate = 0.02 * (6.0 if minute == 4 and cdn == 3 and p2p == 1 else 1.0)
                        failed = int(rng.binomial(sessions, rate))
                        rows.append((1566397200 + 60 * minute, cdn, bitrate, device, p2p,
                                     failed, sessions))  # fmt: skip
    columns = ["min", "cdn", "bitrate", "device", "p2p", "value", "cnt"]
    return pd.DataFrame(rows, columns=columns), 1566397200 + 240


def test_a_time_column_gives_the_baseline_and_the_anomalous_minute(tmp_path):
    frame, anomaly = robustspot_like()
    path = tmp_path / "case1.csv"
    frame.to_csv(path, index=False)
    layout = detect_layout(list(frame.columns), str(path))
    assert (layout.format, layout.time, layout.actual, layout.actual_denominator) == (
        "time_series", "min", "value", "cnt",
    )  # fmt: skip
    assert layout.dimensions == ("cdn", "bitrate", "device", "p2p")
    # Integer-coded dimensions stay integers, as in the file.
    assert localize_incident(path).root_causes == ({"cdn": 3, "p2p": 1},)
    assert localize_incident(path, anomaly_time=anomaly).root_causes == ({"cdn": 3, "p2p": 1},)
    # At a normal minute, compared with the minutes before it, nothing stands out as much.
    calm = localize_incident(path, anomaly_time=anomaly - 60)
    assert {"cdn": 3, "p2p": 1} not in calm.root_causes


def test_a_derived_measure_from_a_and_b_files(tmp_path):
    cube = ratio_cube(7)
    dims = ["d0", "d1", "d2", "d3"]
    cube[[*dims, "actual_failed", "expected_failed"]].set_axis(
        [*dims, "real", "predict"], axis=1
    ).to_csv(tmp_path / "1450653900.a.csv", index=False)
    cube[[*dims, "actual_total", "expected_total"]].set_axis(
        [*dims, "real", "predict"], axis=1
    ).to_csv(tmp_path / "1450653900.b.csv", index=False)
    assert localize_incident(tmp_path / "1450653900.a.csv").root_causes == (CULPRIT,)


def test_explicit_roles_and_dimensions(tmp_path):
    cube = ratio_cube()
    path = tmp_path / "odd_names.csv"
    cube.rename(columns={"actual_failed": "bad", "actual_total": "all"}).to_csv(path, index=False)
    roles = {"actual": "bad", "actual_denominator": "all"}
    result = localize_incident(path, dimensions=["d0", "d1", "d2", "d3"], roles=roles)
    assert result.culprits[0].slice == CULPRIT


def test_errors_name_the_file_and_the_column(tmp_path):
    path = tmp_path / "incident_9.csv"
    pd.DataFrame({"region": ["BR"], "a": [1], "b": [2]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"incident_9\.csv: cannot tell the value columns"):
        localize_incident(path)
    with pytest.raises(ValueError, match=r"incident_9\.csv: no column 'bad'"):
        localize_incident(path, roles={"actual": "bad", "expected": "b"})
    with pytest.raises(ValueError, match=r"incident_9\.csv: unknown role"):
        localize_incident(path, roles={"numerator": "a"})
    with pytest.raises(ValueError, match=r"incident_9\.csv: missing dimension.*'cdn'"):
        localize_incident(path, dimensions=["cdn"], roles={"actual": "a", "expected": "b"})
    bad = tmp_path / "incident_10.csv"
    bad.write_text("region,failed,total\nBR,3,x\n")
    with pytest.raises(ValueError, match=r"incident_10\.csv: column 'total'.*row 2"):
        localize_incident(bad)
    with pytest.raises(FileNotFoundError, match=r"missing\.csv"):
        localize_incident(tmp_path / "missing.csv")


def intrinsically_uneven(seed: int) -> pd.DataFrame:
    """cdn x device x bitrate leaves; tv always fails 2.2x more and high bitrates more
    (intrinsic, not an incident); cdn c07 fails 6x more (the incident)."""
    rng = np.random.default_rng(seed)
    cdn, device, bitrate = np.indices((30, 5, 6)).reshape(3, -1)
    sessions = rng.poisson(rng.lognormal(5, 1, size=cdn.size))
    rate = 0.02 * np.array([1, 1.1, 0.9, 2.2, 1.05])[device] * np.linspace(0.8, 1.6, 6)[bitrate]
    rate *= np.exp(rng.normal(0, 0.1, size=30))[cdn]
    rate = np.where(cdn == 7, rate * 6, rate)
    return pd.DataFrame(
        {
            "cdn": [f"c{c:02d}" for c in cdn],
            "device": np.array(["android", "ios", "web", "tv", "ipad"])[device],
            "bitrate": np.array([400, 800, 1200, 2500, 4000, 8000])[bitrate],
            "failed": rng.binomial(sessions, rate),
            "total": sessions,
        }
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_without_a_baseline_intrinsic_differences_are_not_root_causes(seed):
    frame = intrinsically_uneven(seed)
    dims = ["cdn", "device", "bitrate"]
    assert localize_frame(frame, "uneven", dims).root_causes == ({"cdn": "c07"},)


def test_one_expected_rate_blames_an_intrinsically_bad_device():
    # One expected rate everywhere: tv fails 2.2x more on any day and looks like a cause.
    blamed = [
        {"device": "tv"}
        in localize_with_one_rate(
            intrinsically_uneven(seed), ["cdn", "device", "bitrate"], "failed", "total"
        ).root_causes
        for seed in (1, 2, 3)
    ]
    assert sum(blamed) >= 2
