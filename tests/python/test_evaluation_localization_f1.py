"""The F1 benchmark: scoring by hand, both generator families as described, and F1 floors on
a few generated incidents of each."""

import numpy as np
import pytest

from evaluation.localization_f1 import (
    Score,
    adtributor,
    evaluate,
    generate,
    score,
    summary,
    with_baseline,
    with_one_rate,
    without_baseline,
)


def test_exact_set_matching_by_hand():
    planted = [{"cdn": 5, "p2p": 0}, {"bitrate": 2000}]
    predicted = [{"p2p": "0", "cdn": "5"}, {"bitrate": 2000, "p2p": 1}, {"device": "C1"}]
    s = score(predicted, planted)
    assert (s.true_positives, s.predicted, s.planted) == (1, 3, 2)
    assert (s.precision, s.recall) == pytest.approx((1 / 3, 1 / 2))
    assert s.f1 == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))
    assert Score(0, 0, 2).f1 == 0.0


@pytest.mark.parametrize("family", ["cube", "video"])
def test_generated_incidents_are_reproducible(family):
    for a, b in zip(generate(5, 3, family), generate(5, 3, family), strict=True):
        assert a.root_causes == b.root_causes
        assert a.leaves.equals(b.leaves)


def test_cube_incidents_are_as_described():
    for incident in generate(6, 20):
        assert 3 <= len(incident.dimensions) <= 6
        assert 1 <= len(incident.root_causes) <= 3
        assert all(1 <= len(cause) <= 3 for cause in incident.root_causes)
        assert (incident.leaves["failed"] <= incident.leaves["total"]).all()


def test_video_incidents_are_as_described():
    sizes = {"cdn": (20, 60), "province": (10, 35), "isp": (4, 12), "device": (3, 8),
             "bitrate": (4, 10), "p2p": (2, 2)}  # fmt: skip
    for incident in generate(6, 20, "video"):
        leaves = incident.leaves
        assert incident.dimensions[:1] == ["cdn"] and 4 <= len(incident.dimensions) <= 5
        for dim in incident.dimensions:
            low, high = sizes[dim]
            assert leaves[dim].nunique() <= high  # values without traffic are absent
            assert leaves[dim].nunique() >= min(low, 2)
        assert (leaves["total"] > 0).all()
        assert (leaves["failed"] <= leaves["total"]).all()
        assert 1 <= len(incident.root_causes) <= 3
        insides = []
        for cause in incident.root_causes:
            assert 1 <= len(cause) <= 3
            inside = np.logical_and.reduce([leaves[d] == v for d, v in cause.items()])
            share = leaves["total"][inside].sum() / leaves["total"].sum()
            assert inside.sum() >= 3 and 0.002 <= share <= 0.45  # drawn at 0.3-40% of volume
            insides.append(inside)
        assert (np.sum(insides, axis=0) <= 1).all()  # disjoint
        # The planted slices fail at least 2x (or 2 points) more than in the baseline period,
        # which has the same normal rates.
        broken = np.any(insides, axis=0)
        now = leaves["failed"][broken].sum() / leaves["total"][broken].sum()
        before = leaves["failed_baseline"][broken].sum() / leaves["total_baseline"][broken].sum()
        assert now > min(1.5 * before, before + 0.015)


@pytest.fixture(scope="module")
def cube_incidents():
    return generate(11, 30)  # neither the tuning seed (1) nor the reported ones (2, 3)


@pytest.fixture(scope="module")
def video_incidents():
    return generate(11, 30, "video")


def f1(incidents, method) -> float:
    return summary(evaluate(incidents, method)).f1


def test_f1_floor_without_a_baseline_on_cube_incidents(cube_incidents):
    # Measured here 0.55 (first version 0.55, Adtributor 0.36); 0.63-0.64 on held-out seeds
    # 2 and 3 (300 incidents each, docs/python_checks.md).
    method = f1(cube_incidents, without_baseline)
    assert method > 0.45
    assert method > f1(cube_incidents, adtributor) + 0.1


def test_f1_floor_without_a_baseline_on_video_incidents(video_incidents):
    # Measured here 0.70 (first version 0.69, Adtributor 0.25); 0.66 on held-out seed 2
    # (300 incidents, docs/python_checks.md).
    method = f1(video_incidents, without_baseline)
    assert method > 0.55
    assert method > f1(video_incidents, adtributor) + 0.3


def test_f1_floor_with_a_baseline_period(cube_incidents):
    # Measured here 0.88; 0.85 on seed 2, 300 incidents.
    assert f1(cube_incidents, with_baseline) > 0.7


def test_the_first_version_stays_callable(cube_incidents):
    # Measured here 0.49 on the first 10 incidents.
    assert f1(cube_incidents[:10], with_one_rate) > 0.3
