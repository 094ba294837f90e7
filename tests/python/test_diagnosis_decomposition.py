"""Decompositions add up exactly (random drivers and cubes) and match hand-computed examples."""

import math
from itertools import permutations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from python_checks.diagnosis.decomposition import (
    dimension_contributions,
    lmdi,
    log_mean,
    mix_rate_decomposition,
    shapley_product,
    sum_attribution,
)

RELATIVE = 1e-9

positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)
non_negative = st.one_of(st.just(0.0), positive)
signed = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)


def drivers(values: st.SearchStrategy, max_size: int = 6) -> st.SearchStrategy:
    return st.integers(1, max_size).flatmap(
        lambda n: st.tuples(
            st.lists(values, min_size=n, max_size=n), st.lists(values, min_size=n, max_size=n)
        )
    )


def as_mapping(values: list[float]) -> dict[str, float]:
    return {f"x{i}": value for i, value in enumerate(values)}


def scale(*values: float) -> float:
    return max(1.0, *(abs(value) for value in values))


def assert_adds_up(result) -> None:
    assert result.total_change == pytest.approx(result.comparison - result.baseline)
    # Relative to the largest quantity involved: signed Shapley terms can exceed V itself.
    size = scale(result.baseline, result.comparison, *result.contributions.values())
    assert abs(result.residual) <= RELATIVE * size


@settings(max_examples=300, deadline=None)
@given(drivers(positive))
def test_lmdi_contributions_add_up_to_the_change(pair):
    assert_adds_up(lmdi(as_mapping(pair[0]), as_mapping(pair[1])))


@settings(max_examples=300, deadline=None)
@given(drivers(non_negative))
def test_lmdi_adds_up_with_zero_drivers(pair):
    assert_adds_up(lmdi(as_mapping(pair[0]), as_mapping(pair[1])))


@settings(max_examples=200, deadline=None)
@given(drivers(signed))
def test_shapley_adds_up_for_any_sign(pair):
    assert_adds_up(shapley_product(as_mapping(pair[0]), as_mapping(pair[1])))


@settings(max_examples=200, deadline=None)
@given(drivers(positive))
def test_shapley_and_lmdi_share_the_total(pair):
    base, comp = as_mapping(pair[0]), as_mapping(pair[1])
    by_lmdi, by_shapley = lmdi(base, comp), shapley_product(base, comp)
    total_lmdi = math.fsum(by_lmdi.contributions.values())
    total_shapley = math.fsum(by_shapley.contributions.values())
    tolerance = RELATIVE * scale(
        by_lmdi.baseline,
        by_lmdi.comparison,
        *by_lmdi.contributions.values(),
        *by_shapley.contributions.values(),
    )
    assert abs(total_lmdi - total_shapley) <= tolerance


@settings(max_examples=100, deadline=None)
@given(drivers(signed, max_size=4))
def test_shapley_equals_the_average_over_orderings(pair):
    """Independent check: average each driver's marginal effect over all n! orderings."""
    base, comp = as_mapping(pair[0]), as_mapping(pair[1])
    names = list(base)
    totals = dict.fromkeys(names, 0.0)
    orders = list(permutations(names))
    for order in orders:
        current = dict(base)
        for name in order:
            before = math.prod(current.values())
            current[name] = comp[name]
            totals[name] += math.prod(current.values()) - before
    result = shapley_product(base, comp)
    size = scale(math.prod(base.values()), math.prod(comp.values()), *base.values(), *comp.values())
    for name in names:
        assert result.contributions[name] == pytest.approx(
            totals[name] / len(orders), abs=1e-9 * size ** len(names)
        )


def test_lmdi_on_the_watch_hours_identity_by_hand():
    # viewers 100 -> 110, views per viewer 5 -> 4, hours per view 0.2 -> 0.25: 100 -> 110 h.
    # L(110, 100) = 10 / ln 1.1; contributions L * ln(ratio), computed by hand.
    result = lmdi(
        {"viewers": 100, "views_per_viewer": 5, "hours_per_view": 0.2},
        {"viewers": 110, "views_per_viewer": 4, "hours_per_view": 0.25},
    )
    assert result.total_change == pytest.approx(10.0)
    assert result.contributions["viewers"] == pytest.approx(10.0)
    assert result.contributions["views_per_viewer"] == pytest.approx(-23.41235236071646)
    assert result.contributions["hours_per_view"] == pytest.approx(23.412352360716465)


def test_shapley_by_hand():
    # Two drivers 2 -> 3 and 10 -> 12: phi_a = (1*10 + 1*12)/2 = 11, phi_b = (2*2 + 2*3)/2 = 5.
    result = shapley_product({"a": 2, "b": 10}, {"a": 3, "b": 12})
    assert result.contributions == pytest.approx({"a": 11.0, "b": 5.0})
    # Three drivers of the watch-hours example: viewers get
    # 10 * (1/3 * 1 + 1/6 * 0.8 + 1/6 * 1.25 + 1/3 * 1) = 10.0833...
    three = shapley_product(
        {"viewers": 100, "views_per_viewer": 5, "hours_per_view": 0.2},
        {"viewers": 110, "views_per_viewer": 4, "hours_per_view": 0.25},
    )
    assert three.contributions["viewers"] == pytest.approx(10.083333333333334)


def test_lmdi_edge_cases():
    # Zero in the baseline only: the change goes to the zero driver.
    result = lmdi({"a": 0.0, "b": 2.0}, {"a": 3.0, "b": 4.0})
    assert result.contributions == {"a": 12.0, "b": 0.0}
    # Zero in the comparison, two zero drivers: split equally.
    result = lmdi({"a": 2.0, "b": 3.0, "c": 1.0}, {"a": 0.0, "b": 0.0, "c": 5.0})
    assert result.contributions == {"a": -3.0, "b": -3.0, "c": 0.0}
    with pytest.raises(ValueError, match="negative"):
        lmdi({"a": -1.0}, {"a": 2.0})
    with pytest.raises(ValueError, match="differ"):
        lmdi({"a": 1.0}, {"b": 2.0})
    with pytest.raises(ValueError, match="positive"):
        log_mean(0.0, 1.0)
    assert log_mean(2.0, 2.0) == 2.0
    assert log_mean(1.0 + 1e-9, 1.0) == pytest.approx(1.0 + 5e-10, rel=1e-12)


def test_sum_attribution():
    result = sum_attribution({"pgc": 10.0, "other": 5.0}, {"pgc": 7.0, "other": 6.0})
    assert result.contributions == {"pgc": -3.0, "other": 1.0}
    assert result.total_change == -2.0


cube_rows = st.lists(
    st.tuples(
        st.integers(0, 1000), st.integers(0, 2000), st.integers(0, 1000), st.integers(0, 2000)
    ),
    min_size=1,
    max_size=15,
)


def ratio_frame(rows):
    frame = pd.DataFrame(rows, columns=["num0", "den0", "num1", "den1"]).astype(float)
    frame["num0"] = np.minimum(frame["num0"], frame["den0"])
    frame["num1"] = np.minimum(frame["num1"], frame["den1"])
    frame["slice"] = [f"s{i}" for i in range(len(frame))]
    return frame


@settings(max_examples=300, deadline=None)
@given(cube_rows)
def test_mix_and_rate_add_up_to_the_rate_change(rows):
    frame = ratio_frame(rows)
    if frame["den0"].sum() == 0 or frame["den1"].sum() == 0:
        with pytest.raises(ValueError):
            mix_rate_decomposition(frame, ["slice"], "num0", "den0", "num1", "den1")
        return
    result = mix_rate_decomposition(frame, ["slice"], "num0", "den0", "num1", "den1")
    direct = frame["num1"].sum() / frame["den1"].sum() - frame["num0"].sum() / frame["den0"].sum()
    assert result.total_change == pytest.approx(direct, rel=1e-12, abs=1e-15)
    assert abs(result.mix_effect + result.rate_effect - direct) <= 1e-9 * max(1.0, abs(direct))
    assert result.slices["total_effect"].sum() == pytest.approx(direct, abs=1e-9)


def test_mix_and_rate_by_hand():
    # A: 50/100 -> 30/50, B: 20/100 -> 30/150. R: 0.35 -> 0.30.
    # rate: A 0.1 * (0.5 + 0.25) / 2 = 0.0375, B 0; mix around the mean rate 0.325:
    # A (0.25 - 0.5) * (0.55 - 0.325) = -0.05625, B (0.75 - 0.5) * (0.2 - 0.325) = -0.03125.
    frame = pd.DataFrame(
        {"slice": ["A", "B"], "n0": [50, 20], "d0": [100, 100], "n1": [30, 30], "d1": [50, 150]}
    )
    result = mix_rate_decomposition(frame, ["slice"], "n0", "d0", "n1", "d1")
    assert result.total_change == pytest.approx(-0.05)
    assert result.rate_effect == pytest.approx(0.0375)
    assert result.mix_effect == pytest.approx(-0.0875)
    by_slice = result.slices.set_index("slice")
    assert by_slice.loc["A", "mix_effect"] == pytest.approx(-0.05625)
    assert by_slice.loc["B", "mix_effect"] == pytest.approx(-0.03125)


def test_a_new_slice_is_all_mix():
    frame = pd.DataFrame(
        {"slice": ["A", "new"], "n0": [50, 0], "d0": [100, 0], "n1": [50, 10], "d1": [100, 100]}
    )
    result = mix_rate_decomposition(frame, ["slice"], "n0", "d0", "n1", "d1")
    assert result.rate_effect == 0.0
    assert result.mix_effect == pytest.approx(0.3 - 0.5)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("xyz"), signed, signed), min_size=1)
)
def test_dimension_contributions_add_up(rows):
    frame = pd.DataFrame(rows, columns=["region", "device", "before", "after"])
    result = dimension_contributions(frame, ["region", "device"], "before", "after")
    direct = frame["after"].sum() - frame["before"].sum()
    tolerance = 1e-9 * max(1.0, frame[["before", "after"]].abs().to_numpy().sum())
    assert abs(result.total_change - direct) <= tolerance
    assert abs(result.slices["change"].sum() - direct) <= tolerance
    if result.total_change != 0:
        assert result.slices["share_of_change"].sum() == pytest.approx(1.0)


def test_dimension_contributions_by_hand():
    frame = pd.DataFrame(
        {"region": ["BR", "US", "BR"], "before": [10.0, 20.0, 5.0], "after": [4.0, 22.0, 5.0]}
    )
    result = dimension_contributions(frame, ["region"], "before", "after")
    assert result.total_change == -4.0
    first = result.slices.iloc[0]
    assert (first["region"], first["change"], first["share_of_change"]) == ("BR", -6.0, 1.5)
