"""Root-cause localization recovers planted culprits; scores match hand and scipy values."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2

from evaluation.incident_cubes import planted_cube
from python_checks.diagnosis import slice_search
from python_checks.diagnosis.incident_files import localize_incident
from python_checks.diagnosis.leaf_columns import LeafColumns
from python_checks.diagnosis.leaf_noise import _groups
from python_checks.diagnosis.localization import LocalizationOptions, localize, surprise
from python_checks.diagnosis.localization_criterion import layer_penalties, ripple_statistic
from python_checks.diagnosis.slice_search import (
    PROJECTION_SHARE,
    SPARSE_ROW_SUMS,
    LeafStatistics,
    LeafWeights,
    SliceGroups,
    build_slice_table,
    projection_plan,
    row_sums,
)
from python_checks.stats.model_selection import implied_level

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


def _poisson_statistic(actual: float, expected: float) -> float:
    """The Poisson likelihood-ratio statistic of one factor, by hand."""
    return 2 * (actual * math.log(actual / expected) - (actual - expected))


def _confidence(evidence: float, dropped_to: float, spread: float = 0.25) -> float:
    """The hand examples' confidence: one leaf of four (expected 100, Poisson variance 100)
    at `dropped_to`, its two parents as rivals with equal naming costs. The change is on the
    scale 2 (a - c) / (a + c) with half-counts; the rest of a parent (100 of 100) is 0 with
    variance 1/100.5 either way; as a cause of its own it would pay 2 (2 ln 8 + ln 4)."""
    a, c = dropped_to + 0.5, 100.5
    centre = 2 * (a - c) / (a + c)
    variance = 1 / 100.5
    moved = -0.5 * (centre**2 / (variance + spread**2) + math.log(variance + spread**2))
    normal = -0.5 * math.log(variance)
    own = -0.5 * (math.log(variance) + 2 * (2 * math.log(8) + math.log(4)))
    parent = evidence + 2 * (moved - max(normal, own))
    weights = np.exp(np.array([evidence, parent, parent]) / 2)
    return float(weights[0] / (1 + weights.sum()))


def test_scores_by_hand():
    # 2 x 2 leaves expected 100 each; leaf (a0, b0) drops to 40: total 400 -> 340. Four
    # leaves are too few to fit the noise: counts get the Poisson variance, 100 per leaf.
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
    assert top.share_explained == pytest.approx(1.0)  # the only leaf that moved
    # Penalty: 4 leaves; 2 layers; 2 + 2 slices of one dimension, min(4, 4) of two:
    # 2 ln(2 * 4) + ln 4 on both layers, times the shipped penalty_scale of 2.
    penalty = 2 * (2 * math.log(8) + math.log(4))
    statistic = _poisson_statistic(40, 100)  # 46.70
    assert top.score == pytest.approx(statistic - penalty)
    # Its parents {a0} and {b0} compete for its leaves, and no cause at all. A parent's
    # evidence is the child's plus the location evidence that the rest of the parent (the
    # leaf a0 b1, 100 as expected) moved with the child's change (within the effect spread,
    # 0.25) rather than not at all.
    assert top.confidence == pytest.approx(_confidence(statistic - penalty, 40.0))
    assert top.is_root_cause and result.root_causes == ({"a": "a0", "b": "b0"},)
    # Searched on one layer only, the parent is the answer; its penalty: 1 layer, 4 names.
    single = localize(frame, ["a", "b"], ADDITIVE, LocalizationOptions(max_combination_size=1))
    assert single.culprits[0].slice == {"a": "a0"}
    assert single.culprits[0].score == pytest.approx(
        _poisson_statistic(140, 200) - 2 * (2 * math.log(4) + math.log(4))
    )


def _pooled_deviance(actual: float, expected: float, variance: float) -> float:
    """The quasi-Poisson deviance of one slice's pooled counts, by hand: A = V E / S and
    C = E^2 / S, 2 (A ln(A / C) - (A - C))."""
    a, c = actual * expected / variance, expected**2 / variance
    return 2 * (a * math.log(a / c) - (a - c))


def test_a_baseline_mean_counts_its_own_noise():
    """A leaf the baseline barely saw (2 -> 30: new content) against a leaf of established
    traffic (100 -> 200). Against a forecast (variance = expected, Poisson) the new leaf is
    the stronger evidence; against the mean of one baseline day both periods count, at
    their pooled mean ((v + e) / 2 per period, variance v + e), and it is the weaker."""
    frame = pd.DataFrame(
        {
            "a": ["a0", "a0", "a1", "a1"],
            "b": ["b0", "b1", "b0", "b1"],
            "expected": [2.0, 100.0, 100.0, 100.0],
            "actual": [30.0, 100.0, 100.0, 200.0],
        }
    )
    penalty = 2 * (2 * math.log(8) + math.log(4))  # as in test_scores_by_hand
    forecast = localize(frame, ["a", "b"], ADDITIVE)
    assert [c.slice for c in forecast.culprits[:2]] == [
        {"a": "a0", "b": "b0"},
        {"a": "a1", "b": "b1"},
    ]
    assert forecast.culprits[0].score == pytest.approx(_pooled_deviance(30, 2, 2) - penalty)
    baseline = localize(frame, ["a", "b"], ADDITIVE, LocalizationOptions(baseline_periods=1))
    first, second = baseline.culprits[:2]
    assert first.slice == {"a": "a1", "b": "b1"} and first.is_root_cause
    assert first.score == pytest.approx(_pooled_deviance(200, 100, 300) - penalty)
    assert second.slice == {"a": "a0", "b": "b0"} and not second.is_root_cause
    assert second.score == pytest.approx(_pooled_deviance(30, 2, 32) - penalty)
    with pytest.raises(ValueError, match="baseline_periods"):
        LocalizationOptions(baseline_periods=0)


def test_the_penalty_grows_with_the_layer_and_is_the_code_length_of_a_name():
    # Dimensions of 3, 4 and 10 values over 100 leaves, all three layers searched.
    penalties = layer_penalties([3, 4, 10], 100, 3)
    names = [3 + 4 + 10, 12 + 30 + 40, min(120, 100)]
    expected = [2 * math.log(3 * m) + math.log(100) for m in names]
    assert penalties == pytest.approx(expected)
    # Twice the scale, twice the penalty; a level of about 3e-6 for a first-layer slice.
    assert layer_penalties([3, 4, 10], 100, 3, scale=2.0)[0] == pytest.approx(2 * expected[0])
    assert implied_level(expected[0]) == pytest.approx(chi2.sf(expected[0], 1))


def test_the_ripple_statistics_by_hand():
    # 30 actual against 10 expected with a variance of 20 (dispersion 2): 15 against 5
    # Poisson events, 2 (15 ln 3 - 10); normal: 20^2 / 20 = 20.
    actual, expected, variance = (
        np.array([30.0, 5.0]),
        np.array([10.0, 10.0]),
        np.array([20.0, 20.0]),
    )
    poisson = ripple_statistic(actual, expected, variance, "both", "poisson")
    assert poisson == pytest.approx([2 * (15 * math.log(3) - 10), 2 * (2.5 * math.log(0.5) + 2.5)])
    gaussian = ripple_statistic(actual, expected, variance, "up", "gaussian")
    assert gaussian == pytest.approx([20.0, 0.0])  # "up": the falling slice counts nothing


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
    result = localize(cube, DIMS, ADDITIVE, LocalizationOptions(direction="both"))
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
    both = localize(cube, DIMS, ADDITIVE, LocalizationOptions(direction="both"))
    assert both.root_causes[0] == {"d1": "d1_v4"}  # the larger, falling slice
    up = localize(cube, DIMS, ADDITIVE, LocalizationOptions(direction="up"))
    assert up.root_causes[0] == {"d2": "d2_v1"}
    assert all(c.deviation > 0 for c in up.culprits if c.is_root_cause)
    # "total" (the default) follows the total deviation: here it fell.
    assert localize(cube, DIMS, ADDITIVE).root_causes[0] == {"d1": "d1_v4"}
    with pytest.raises(ValueError, match="direction"):
        LocalizationOptions(direction="sideways")


def test_a_cause_whose_effect_varies_between_its_parts_is_not_split():
    """d0_v2 breaks by x1.5 to x4 depending on d1: every part moved, so d0_v2 is the
    cause, although its children each fit their own factor better."""
    cube = planted_cube(SIZES, {"d0": "d0_v2"}, effect=0.0, seed=4, noise=0.05)
    rng = np.random.default_rng(4)
    factor = dict(zip([f"d1_v{i}" for i in range(10)], np.linspace(1.5, 4.0, 10), strict=True))
    inside = cube["d0"] == "d0_v2"
    lifted = cube.loc[inside, "expected"] * cube.loc[inside, "d1"].map(factor)
    cube.loc[inside, "actual"] = rng.poisson(lifted).astype(float)
    assert localize(cube, DIMS, ADDITIVE).root_causes == ({"d0": "d0_v2"},)


@pytest.mark.parametrize("seed", [1, 2])
def test_several_broken_children_of_one_value_are_named_not_their_parent(seed):
    """Three of the ten d1 values under d0_v1 break; the other seven do not."""
    cube = planted_cube(SIZES, {"d0": "d0_v1"}, effect=0.0, seed=seed, noise=0.05)
    rng = np.random.default_rng(seed)
    broken = [{"d0": "d0_v1", "d1": f"d1_v{i}"} for i in (2, 5, 7)]
    for cause in broken:
        inside = (cube["d0"] == cause["d0"]) & (cube["d1"] == cause["d1"])
        cube.loc[inside, "actual"] = rng.poisson(cube.loc[inside, "expected"] * 3.0).astype(float)
    found = localize(cube, DIMS, ADDITIVE).root_causes
    assert sorted(found, key=str) == sorted(broken, key=str)


def test_a_single_leaf_is_found_on_the_deepest_layer():
    """A full cube with 5% forecast error (RiskLoc's L setting): one leaf drops by 70%."""
    rng = np.random.default_rng(80)  # not the cube's stream, or the error follows the volume
    cube = planted_cube(SIZES, {"d0": "d0_v0"}, effect=0.0, seed=8, noise=0.0)
    cube["actual"] = cube["expected"] * (1 + rng.normal(0, 0.05, size=len(cube)))
    cube["actual"] *= cube["expected"].sum() / cube["actual"].sum()  # unbiased in total
    leaf = {"d0": "d0_v3", "d1": "d1_v6", "d2": "d2_v1", "d3": "d3_v4"}
    inside = np.logical_and.reduce([cube[d] == v for d, v in leaf.items()])
    cube.loc[inside, "actual"] = cube.loc[inside, "expected"] * 0.3
    assert localize(cube, DIMS, ADDITIVE).root_causes == (leaf,)


def test_confidence_can_be_thresholded_and_causes_capped():
    # As by hand above with 60 instead of 40: the child's posterior is about 0.89.
    frame = pd.DataFrame(
        {
            "a": ["a0", "a0", "a1", "a1"],
            "b": ["b0", "b1", "b0", "b1"],
            "expected": [100.0, 100.0, 100.0, 100.0],
            "actual": [60.0, 100.0, 100.0, 100.0],
        }
    )
    penalty = 2 * (2 * math.log(8) + math.log(4))
    confidence = _confidence(_poisson_statistic(60, 100) - penalty, 60.0)
    assert 0.85 < confidence < 0.9
    result = localize(frame, ["a", "b"], ADDITIVE)
    assert result.culprits[0].confidence == pytest.approx(confidence)
    strict = localize(frame, ["a", "b"], ADDITIVE, LocalizationOptions(min_confidence=0.9))
    assert strict.root_causes == ()
    assert strict.culprits[0].slice == {"a": "a0", "b": "b0"}
    assert not strict.culprits[0].is_root_cause
    with pytest.raises(ValueError, match="min_confidence"):
        LocalizationOptions(min_confidence=1.5)
    cube = planted_cube(SIZES, {"d0": "d0_v1"}, effect=-0.4, seed=2, noise=0.1)
    second = (cube["d1"] == "d1_v5") & (cube["d2"] == "d2_v2")
    cube.loc[second, "actual"] = cube.loc[second, "expected"] * 0.4
    both = localize(cube, DIMS, ADDITIVE)
    assert len(both.root_causes) == 2
    capped = localize(cube, DIMS, ADDITIVE, LocalizationOptions(max_root_causes=1))
    assert capped.root_causes == both.root_causes[:1]


def test_no_subset_of_a_slice_beats_its_bound():
    """The pruning bound (the sum of its leaves' own Pearson statistics in the slice's
    direction, doubled for a fall) is above the statistic of every slice under it, for both
    likelihoods."""
    rng = np.random.default_rng(3)
    codes = [rng.integers(0, k, size=400) for k in (4, 5, 3)]
    expected = rng.lognormal(3, 1, size=400)
    factor = np.where(codes[0] == 1, 2.0, np.where(codes[1] == 2, 0.1, 1.0))
    actual = rng.poisson(expected * factor).astype(float)
    variance = expected * 1.3
    for family in ("poisson", "gaussian"):
        leaves = LeafStatistics(
            codes, [4, 5, 3], actual, expected, variance,
            ripple_statistic(actual, expected, variance, "both", family),
        )  # fmt: skip
        table = build_slice_table(leaves, [0.0, 0.0, 0.0], "both")
        for cuboid in table.cuboids:
            sums = cuboid.sums
            statistic = ripple_statistic(
                sums["actual"], sums["expected"], sums["variance"], "both", family
            )
            assert (statistic <= cuboid.bound + 1e-9).all()
        assert sum(len(c.keys) for c in table.cuboids) == 4 + 5 + 3 + 20 + 12 + 15 + 60


@pytest.mark.parametrize("projections", [False, True])
def test_slice_totals_are_the_rows_summed_per_slice(projections):
    """Taking leaves out of the table sums each slice's leaves: summed from the leaves, one
    at a time in leaf order, bit for bit as bincount does; summed from projections, to
    rounding. Either way the same leaves give the same sums to the bit, with the slices
    numbered once for several variances."""
    rng = np.random.default_rng(5)
    codes = [rng.integers(0, k, size=3000) for k in (3, 300, 4, 2)]
    # Values over many orders of magnitude: any other order of addition rounds differently.
    expected = rng.lognormal(3, 4, size=3000)
    actual = expected * rng.lognormal(0, 1, size=3000)
    sizes = [int(code.max()) + 1 for code in codes]
    first = None
    for scale in (1.0, 3.0):
        variance = expected * scale
        leaves = LeafStatistics(
            codes, sizes, actual, expected, variance,
            ripple_statistic(actual, expected, variance, "both", "gaussian"),
        )  # fmt: skip
        groups = first.groups if first is not None else SliceGroups(leaves, 3, projections)
        assert bool(groups.plan) == projections
        table = build_slice_table(leaves, [0.0, 0.0, 0.0], "both", groups=groups)
        fresh = build_slice_table(
            leaves, [0.0, 0.0, 0.0], "both", groups=SliceGroups(leaves, 3, projections)
        )
        for name in ("leaves", "actual", "expected", "variance"):
            assert np.array_equal(table.sums[name], fresh.sums[name])
        # Many leaves, and few: those are summed into only the slices they touch.
        for count in (700, 20):
            rows = np.sort(rng.choice(3000, size=count, replace=False))
            slots, sums = table.slot_totals(rows)
            expect = np.zeros((4, len(table.sums["leaves"])))
            for cuboid, start in zip(table.cuboids, table.offsets[:-1], strict=True):
                key = np.zeros(len(rows), dtype=np.int64)
                for dim, stride in zip(cuboid.dims, cuboid.strides, strict=True):
                    key += codes[dim][rows] * stride
                position = np.searchsorted(cuboid.keys, key)
                found = position < len(cuboid.keys)
                found[found] = cuboid.keys[position[found]] == key[found]
                for i, weights in enumerate((np.ones(3000), actual, expected, variance)):
                    expect[i, start : start + len(cuboid.keys)] = np.bincount(
                        position[found], weights=weights[rows][found], minlength=len(cuboid.keys)
                    )
            touched = np.flatnonzero(expect[0])
            assert np.array_equal(slots, touched)
            if projections:
                np.testing.assert_allclose(sums, expect[:, touched], rtol=1e-12)
            else:
                assert np.array_equal(sums, expect[:, touched])
            assert np.array_equal(table.slot_totals(rows)[1], sums)
        first = table


def test_a_projection_holds_each_set_and_has_few_combinations():
    """Every set of up to `depth` dimensions whose value combinations are at most the
    leaves / PROJECTION_SHARE is summed from a set holding it within that bound; the
    others from the leaves. The warehouse's dimensions need few projections."""
    rng = np.random.default_rng(21)
    for _ in range(20):
        sizes = [int(k) for k in rng.integers(1, 12, size=int(rng.integers(3, 14)))]
        leaves = int(rng.integers(1_000, 2_000_000))
        depth = int(rng.integers(1, 4))
        plan = projection_plan(sizes, depth, leaves)
        limit = leaves / PROJECTION_SHARE
        for size in range(1, depth + 1):
            for combo in itertools.combinations(range(len(sizes)), size):
                space = math.prod(sizes[d] for d in combo)
                if space > limit:
                    assert combo not in plan
                    continue
                projection = plan[combo]
                assert set(combo) <= set(projection)
                assert math.prod(sizes[d] for d in projection) <= limit
    warehouse = [4, 3, 10, 4, 5, 5, 4, 2, 10, 3, 3, 4, 10]  # `pgc explain`'s, at large
    plan = projection_plan(warehouse, 3, 888_428)
    assert len(plan) == 377
    assert len(set(plan.values())) <= 20


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_projections_change_no_answer(seed, monkeypatch):
    """Localization names the same causes with the same confidences whether the slices are
    summed from projections or from the leaves (the scores agree to rounding)."""
    sizes = (8, 10, 6, 5, 3, 2)
    dims = [f"d{i}" for i in range(len(sizes))]
    cube = planted_cube(sizes, {"d0": "d0_v2", "d2": "d2_v3"}, effect=-0.4, seed=seed)
    assert len(set(projection_plan(sizes, len(sizes), len(cube)).values())) > 1
    projected = localize(cube, dims, ADDITIVE)
    monkeypatch.setattr(slice_search, "PROJECTION_SHARE", math.inf)
    from_leaves = localize(cube, dims, ADDITIVE)
    assert [c.slice for c in projected.culprits] == [c.slice for c in from_leaves.culprits]
    for a, b in zip(projected.culprits, from_leaves.culprits, strict=True):
        assert a.is_root_cause == b.is_root_cause
        assert a.score == pytest.approx(b.score, rel=1e-9)
        assert a.confidence == pytest.approx(b.confidence, rel=1e-9, abs=1e-12, nan_ok=True)


def _in_leaf_order(leaf_groups: list[int], weights: np.ndarray, size: int) -> np.ndarray:
    """Per group, its leaves' weights added one at a time in leaf order from zero."""
    totals = [[0.0] * weights.shape[1] for _ in range(size)]
    for leaf, group in enumerate(leaf_groups):
        for column in range(weights.shape[1]):
            totals[group][column] += float(weights[leaf, column])
    return np.array(totals).reshape(size, weights.shape[1])


@pytest.mark.parametrize("projections", [False, True])
def test_slice_sums_are_the_groupby_slices_summed(projections):
    """The slices of a set of dimensions are its value combinations (as a groupby finds
    them, in key order) and their sums are their leaves' values: summed from the leaves,
    added one at a time in leaf order, bit for bit, over every leaf and over the leaves of
    some slices; summed from a projection, over every leaf, to rounding."""
    rng = np.random.default_rng(11)
    n = 3000
    sizes = [3, 40, 5]
    codes = [rng.integers(0, k, size=n) for k in sizes]
    # Values over many orders of magnitude: any other order of addition rounds differently.
    expected = rng.lognormal(3, 4, size=n)
    actual = expected * rng.lognormal(0, 1, size=n)
    variance = expected * rng.lognormal(0, 2, size=n)
    leaves = LeafStatistics(codes, sizes, actual, expected, variance, np.zeros(n))
    groups = SliceGroups(leaves, 3, projections)
    weights = LeafWeights(leaves, [variance, actual - expected])
    columns = np.column_stack([actual, expected, variance, actual - expected])
    for dims in [(1,), (0, 2), (0, 1, 2), (1, 2)]:
        cuboid = groups.cuboid(dims)
        frame = pd.DataFrame({f"d{dim}": codes[dim] for dim in dims})
        grouped = frame.groupby(list(frame.columns), sort=True).ngroup().to_numpy()
        counts = np.bincount(grouped)
        combinations = frame.drop_duplicates().sort_values(list(frame.columns)).to_numpy()
        assert np.array_equal(cuboid.values, combinations)
        assert np.array_equal(cuboid.leaves, counts.astype(float))
        assert np.array_equal(cuboid.leaf_slices, grouped)
        expect = _in_leaf_order(grouped.tolist(), columns, len(counts))
        values, totals = groups.sums(cuboid, weights, None)
        if cuboid.projection is not None:
            np.testing.assert_allclose(np.hstack([values, totals]), expect, rtol=1e-12)
            continue
        assert np.array_equal(values, expect[:, :2])
        assert np.array_equal(totals, expect[:, 2:])
        # Once the values are summed, the weights alone, over the leaves of even slices.
        rows = np.flatnonzero(grouped % 2 == 0)
        values, totals = groups.sums(cuboid, weights, rows)
        assert np.array_equal(values, expect[:, :2])
        assert np.array_equal(totals[::2], expect[::2, 2:])
    # A slice's parent without its first dimension, found by hand.
    parents = groups.parents((1, 2), 0)
    slices_of_2 = groups.cuboid((2,)).values[:, 0].tolist()
    by_hand = [slices_of_2.index(value) for value in groups.cuboid((1, 2)).values[:, 1]]
    assert parents.tolist() == by_hand


def test_row_sums_add_leaves_in_their_order_either_way():
    """A set's sums add its leaves one at a time in their order from zero, bit for bit,
    for few leaves and for many (computed two ways)."""
    rng = np.random.default_rng(12)
    n = 3 * SPARSE_ROW_SUMS
    expected = rng.lognormal(3, 4, size=n)
    actual = expected * rng.lognormal(0, 1, size=n)
    variance = expected * rng.lognormal(0, 2, size=n)
    codes = [rng.integers(0, 4, size=n)]
    leaves = LeafStatistics(codes, [4], actual, expected, variance, np.zeros(n))
    columns = np.column_stack([np.ones(n), actual, expected, variance])
    for size in (SPARSE_ROW_SUMS // 4, 2 * SPARSE_ROW_SUMS):
        rows = np.sort(rng.choice(n, size=size, replace=False))
        expect = _in_leaf_order([0] * size, columns[rows], 1)[0]
        sums = row_sums(leaves, rows)
        got = [sums[name][0] for name in ("leaves", "actual", "expected", "variance")]
        assert np.array_equal(got, expect)


@pytest.mark.parametrize("scale", [1, 2**40])
def test_leaves_sharing_their_codes_share_a_group(scale):
    """The groups of leaves with the same codes (for an unseen leaf's ancestor) are the
    groupby's: one integer key per leaf, or the unique rows when the key would overflow."""
    rng = np.random.default_rng(13)
    codes = [rng.integers(0, k, size=5000) * scale for k in (4, 30, 7)]
    labels = _groups(codes)
    frame = pd.DataFrame({f"d{i}": code for i, code in enumerate(codes)})
    expect = frame.groupby(list(frame.columns)).ngroup().to_numpy()
    # The same partition: every group of one is a group of the other.
    pairs = pd.DataFrame({"got": labels, "expect": expect}).drop_duplicates()
    assert len(pairs) == len(np.unique(labels)) == len(np.unique(expect))
