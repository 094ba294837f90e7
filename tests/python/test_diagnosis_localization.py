"""Root-cause localization recovers planted culprits; scores match hand and scipy values."""

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon

from evaluation.incident_cubes import planted_cube
from python_checks.diagnosis.incident_files import localize_incident
from python_checks.diagnosis.leaf_columns import LeafColumns
from python_checks.diagnosis.localization import LocalizationOptions, localize, surprise

SIZES = (8, 10, 6, 5)
DIMS = ["d0", "d1", "d2", "d3"]
ADDITIVE = LeafColumns("actual", "expected")
RATIO = LeafColumns("actual_failed", "expected_failed", "actual_total", "expected_total")


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_single_value_culprit_is_the_top_answer(seed):
    culprit = {"d1": "d1_v4"}
    cube = planted_cube(SIZES, culprit, effect=-0.25, seed=seed, noise=0.1)
    result = localize(cube, DIMS, ADDITIVE)
    assert result.culprits[0].slice == culprit
    assert result.root_causes == (culprit,)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_two_dimension_culprit_is_the_top_answer(seed):
    cube = planted_cube(SIZES, {"d0": "d0_v2", "d2": "d2_v3"}, effect=-0.6, seed=seed, noise=0.1)
    cube = cube.rename(columns={"d0": "region", "d2": "app_version"})
    cube["region"] = cube["region"].replace({"d0_v2": "BR"})
    cube["app_version"] = cube["app_version"].replace({"d2_v3": "31.2"})
    dims = ["region", "d1", "app_version", "d3"]
    result = localize(cube, dims, ADDITIVE)
    assert result.culprits[0].slice == {"region": "BR", "app_version": "31.2"}
    assert result.root_causes == ({"region": "BR", "app_version": "31.2"},)
    # Neither its parents nor its children are listed as separate culprits.
    for culprit in result.culprits[1:]:
        items = set(culprit.slice.items())
        planted = {("region", "BR"), ("app_version", "31.2")}
        assert not (items <= planted or planted <= items)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_a_three_dimension_culprit_under_a_rising_total(seed):
    culprit = {"d0": "d0_v1", "d1": "d1_v9", "d3": "d3_v0"}
    cube = planted_cube(SIZES, culprit, effect=1.5, seed=seed, noise=0.1)
    result = localize(cube, DIMS, ADDITIVE)
    assert result.culprits[0].slice == culprit
    inside = (cube["d0"] == "d0_v1") & (cube["d1"] == "d1_v9") & (cube["d3"] == "d3_v0")
    planted = (cube["actual"] - cube["expected"])[inside].sum()
    total = (cube["actual"] - cube["expected"]).sum()
    assert result.culprits[0].deviation == pytest.approx(planted)
    assert result.culprits[0].explanatory_power == pytest.approx(planted / total)


def test_a_whole_dimension_value_beats_its_children():
    cube = planted_cube(SIZES, {"d3": "d3_v2"}, effect=-0.5, seed=7, noise=0.05)
    result = localize(cube, DIMS, ADDITIVE)
    assert result.root_causes == ({"d3": "d3_v2"},)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ratio_metric_culprit_ignores_a_volume_shift(seed):
    """Failures triple in one slice; elsewhere a slice's traffic doubles at an unchanged
    failure rate. Measured on the rate, only the first is a culprit."""
    culprit = {"d0": "d0_v5", "d1": "d1_v1"}
    cube = planted_cube(SIZES, culprit, effect=2.0, seed=seed, ratio=True, noise=0.05)
    surge = cube["d2"] == "d2_v0"
    rng = np.random.default_rng(seed)
    extra = rng.poisson(cube.loc[surge, "actual_total"]).astype(float)
    cube.loc[surge, "actual_total"] += extra
    cube.loc[surge, "actual_failed"] += rng.binomial(extra.astype(np.int64), 0.05)
    result = localize(cube, DIMS, RATIO)
    assert result.root_causes == (culprit,)
    # The additive reading of the same numerators blames the surge.
    additive = localize(cube, DIMS, LeafColumns("actual_failed", "expected_failed"))
    assert {"d2": "d2_v0"} in additive.root_causes


def test_a_tiny_slice_with_a_wild_rate_is_not_the_culprit():
    cube = planted_cube(SIZES, {"d1": "d1_v3"}, effect=1.0, seed=5, ratio=True, noise=0.05)
    tiny = (cube["d0"] == "d0_v0") & (cube["d2"] == "d2_v0")
    cube.loc[tiny, ["expected_total", "actual_total"]] = 4.0
    cube.loc[tiny, "expected_failed"] = 0.0
    cube.loc[tiny, "actual_failed"] = 4.0  # rate 0% -> 100%
    result = localize(cube, DIMS, RATIO)
    assert result.culprits[0].slice == {"d1": "d1_v3"}


def test_scores_by_hand():
    # 2 x 2 leaves expected 100 each; leaf (a0, b0) drops to 40: total 400 -> 340.
    frame = pd.DataFrame(
        {
            "a": ["a0", "a0", "a1", "a1"],
            "b": ["b0", "b1", "b0", "b1"],
            "expected": [100.0, 100.0, 100.0, 100.0],
            "actual": [40.0, 100.0, 100.0, 100.0],
        }
    )
    result = localize(frame, ["a", "b"], ADDITIVE)
    top = result.culprits[0]
    assert top.slice == {"a": "a0", "b": "b0"}
    assert (top.actual, top.expected, top.deviation) == (40.0, 100.0, -60.0)
    assert top.explanatory_power == pytest.approx(1.0)
    # p = 100/400, q = 40/340: 0.5 (p ln(2p/(p+q)) + q ln(2q/(p+q))), by hand.
    assert top.surprise == pytest.approx(0.012183404960940974)
    assert top.share_explained == pytest.approx(1.0)
    assert top.score == pytest.approx(1.0 * (1 - 0.02))
    # Its parents are not listed. Searched alone, a0 predicts both its leaves at 70: the
    # absolute deviation stays 60 + 0 -> 30 + 30 (nothing explained, no root cause claimed);
    # the squared deviation (equal noise variances here) goes 60^2 -> 2 * 30^2, half of it.
    assert [c.slice for c in result.culprits] == [{"a": "a0", "b": "b0"}]
    single_dimension = LocalizationOptions(max_combination_size=1, loss="absolute")
    single = localize(frame, ["a", "b"], ADDITIVE, single_dimension)
    assert single.root_causes == ()
    parent = next(c for c in single.culprits if c.slice == {"a": "a0"})
    assert parent.share_explained == pytest.approx(0.0)
    assert parent.explanatory_power == pytest.approx(1.0)
    squared = localize(
        frame, ["a", "b"], ADDITIVE, LocalizationOptions(max_combination_size=1, loss="squared")
    )
    assert squared.culprits[0].slice == {"a": "a0"}
    assert squared.culprits[0].share_explained == pytest.approx(0.5)


def test_surprise_terms_sum_to_scipy_jensen_shannon():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(7))
    q = rng.dirichlet(np.ones(7))
    assert surprise(p, q).sum() == pytest.approx(jensenshannon(p, q) ** 2)


def test_only_actual_denominator_means_expected_is_at_actual_volume():
    frame = pd.DataFrame(
        {"a": ["x", "y"], "failed": [30.0, 10.0], "expected": [10.0, 10.0], "n": [100.0, 100.0]}
    )
    result = localize(frame, ["a"], LeafColumns("failed", "expected", "n"))
    assert result.root_causes == ({"a": "x"},)


def test_bad_inputs_raise():
    frame = pd.DataFrame({"a": ["x"], "v": [1.0], "f": [1.0]})
    with pytest.raises(KeyError, match="missing_dim"):
        localize(frame, ["missing_dim"], LeafColumns("v", "f"))
    with pytest.raises(ValueError, match="expected_denominator"):
        localize(frame, ["a"], LeafColumns("v", "f", expected_denominator="v"))


def test_a_file_of_leaves_finds_the_culprit(tmp_path):
    culprit = {"d0": "d0_v3", "d1": "d1_v2"}
    cube = planted_cube(SIZES, culprit, effect=2.0, seed=9, ratio=True)
    path = tmp_path / "incident.csv"
    cube.to_csv(path, index=False)
    roles = {"actual": "actual_failed", "expected": "expected_failed"}
    roles |= {"actual_denominator": "actual_total", "expected_denominator": "expected_total"}
    result = localize_incident(path, DIMS, roles)
    assert result.culprits[0].slice == culprit


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_two_independent_culprits_of_opposite_sign_are_both_root_causes(seed):
    cube = planted_cube(SIZES, {"d0": "d0_v1"}, effect=-0.4, seed=seed, noise=0.1)
    second = (cube["d1"] == "d1_v5") & (cube["d2"] == "d2_v2")
    rng = np.random.default_rng(seed)
    cube.loc[second, "actual"] = rng.poisson(cube.loc[second, "expected"] * 2.0)
    result = localize(cube, DIMS, ADDITIVE)
    assert sorted(result.root_causes, key=len) == [
        {"d0": "d0_v1"},
        {"d1": "d1_v5", "d2": "d2_v2"},
    ]


def test_nothing_to_explain_gives_no_culprit():
    empty = pd.DataFrame({"a": [], "v": [], "f": []})
    assert localize(empty, ["a"], LeafColumns("v", "f")).culprits == ()
    flat = pd.DataFrame({"a": ["x", "y"], "v": [1.0, 2.0], "f": [1.0, 2.0]})
    result = localize(flat, ["a"], LeafColumns("v", "f"))
    assert (result.culprits, result.total_deviation) == ((), 0.0)


def test_direction_up_ignores_slices_that_fell():
    cube = planted_cube(SIZES, {"d1": "d1_v4"}, effect=-0.5, seed=3, noise=0.05)
    cube.loc[cube["d2"] == "d2_v1", "actual"] *= 1.3
    both = localize(cube, DIMS, ADDITIVE)
    assert both.root_causes[0] == {"d1": "d1_v4"}  # the larger, falling slice
    up = localize(cube, DIMS, ADDITIVE, LocalizationOptions(direction="up"))
    assert up.root_causes[0] == {"d2": "d2_v1"}
    assert all(c.deviation > 0 for c in up.culprits if c.is_root_cause)
    with pytest.raises(ValueError, match="direction"):
        LocalizationOptions(direction="down")
