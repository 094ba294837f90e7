"""`pgc explain`'s engine: the driver tree adds up exactly, the planted logging bug is the top
culprit, and the numbers match values computed straight from metric_daily."""

import datetime as dt
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.truth_names import TRUTH_SEMANTIC_DIMENSIONS
from python_checks.diagnosis.baseline_period import BaselineError, average_day, choose_baseline
from python_checks.diagnosis.culprits import leaf_table
from python_checks.diagnosis.driver_tree import build_driver_tree
from python_checks.diagnosis.explanation import ExplainError, explain
from python_checks.diagnosis.leaf_columns import leaf_value_column
from python_checks.warehouse.explain_inputs import read_explain_inputs
from python_checks.warehouse.metric_layer import leaf_rows, load_catalogue

DAY = dt.date(2026, 9, 24)


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


def _explain(warehouse, metric: str, day: dt.date = DAY, baseline_days: int = 3):
    baseline = choose_baseline(day, baseline_days=baseline_days)
    inputs = read_explain_inputs(warehouse, metric, [day, *baseline.dates])
    return explain(metric, day, baseline, inputs, 5)


@pytest.fixture(scope="module")
def completion(warehouse):
    return _explain(warehouse, "completion_rate")


@pytest.fixture(scope="module")
def watch_hours(warehouse):
    return _explain(warehouse, "watch_hours")


def _total(warehouse, metric: str, day: dt.date) -> tuple[float, float, float]:
    return warehouse.execute(
        "select value, numerator, denominator from metrics.metric_daily where metric_name = ? "
        "and dimension_name = 'total' and metric_date = ?",
        [metric, day],
    ).fetchone()


def test_the_planted_logging_bug_is_the_top_culprit(completion, truth):
    (incident,) = [i for i in truth["incidents"] if i["kind"] == "logging_bug"]
    assert incident["dates"] == [DAY.isoformat()]
    top = completion.culprits.result.culprits[0]
    assert top.slice == {TRUTH_SEMANTIC_DIMENSIONS[k]: v for k, v in incident["root_cause"].items()}
    assert top.is_root_cause


def test_the_planted_sports_spike_is_the_top_culprit_of_watch_hours(warehouse, truth):
    """As `pgc explain watch_hours --date D` asks it: against the same weekday a week before,
    over every allowed dimension (new content and creators who changed follower band are
    leaves the baseline barely saw)."""
    (incident,) = [i for i in truth["incidents"] if i["kind"] == "traffic_spike"]
    day = dt.date.fromisoformat(incident["dates"][0])
    baseline = choose_baseline(day)
    inputs = read_explain_inputs(warehouse, "watch_hours", [day, *baseline.dates])
    top = explain("watch_hours", day, baseline, inputs, 5).culprits.result.culprits[0]
    assert top.slice == {TRUTH_SEMANTIC_DIMENSIONS[k]: v for k, v in incident["root_cause"].items()}
    assert top.is_root_cause


def test_every_identity_adds_up_to_its_metrics_change(completion, watch_hours):
    nodes = [*_walk(completion.drivers), *_walk(watch_hours.drivers)]
    assert sum(len(node.identities) for node in nodes) >= 6
    for node in nodes:
        for identity in node.identities:
            assert identity.total == pytest.approx(node.change, rel=1e-9, abs=1e-12)


def test_the_completion_rate_change_matches_metric_daily(completion, warehouse):
    baseline_days = [DAY - dt.timedelta(days=k) for k in (1, 2, 3)]
    day_num, day_den = _total(warehouse, "completion_rate", DAY)[1:]
    base = [_total(warehouse, "completion_rate", d)[1:] for d in baseline_days]
    base_num, base_den = (sum(b[0] for b in base) / 3), (sum(b[1] for b in base) / 3)
    r0, r1 = base_num / base_den, day_num / day_den
    assert completion.change == pytest.approx(r1 - r0, rel=1e-12)
    # the ratio identity by hand: LMDI-I numerator effect L(R1, R0) ln(N1 / N0)
    ratio = completion.drivers.identities[0]
    assert ratio.kind == "ratio"
    log_mean = (r1 - r0) / math.log(r1 / r0)
    numerator_effect = ratio.contributions[0].contribution
    assert numerator_effect == pytest.approx(log_mean * math.log(day_num / base_num), rel=1e-9)


def test_watch_hours_is_viewers_x_views_per_viewer_x_hours_per_view(watch_hours, warehouse):
    product = watch_hours.drivers.identities[0]
    assert product.kind == "product" and product.method == "lmdi"
    assert [c.driver for c in product.contributions] == [
        "daily_active_viewers",
        "views_per_active_viewer",
        "watch_hours_per_view",
    ]
    baseline_days = [DAY - dt.timedelta(days=k) for k in (1, 2, 3)]
    hours0 = sum(_total(warehouse, "watch_hours", d)[0] for d in baseline_days) / 3
    hours1 = _total(warehouse, "watch_hours", DAY)[0]
    assert math.fsum(c.contribution for c in product.contributions) == pytest.approx(
        hours1 - hours0, rel=1e-9
    )
    viewers0 = sum(_total(warehouse, "daily_active_viewers", d)[0] for d in baseline_days) / 3
    viewers1 = _total(warehouse, "daily_active_viewers", DAY)[0]
    weight = (hours1 - hours0) / math.log(hours1 / hours0)
    assert product.contributions[0].contribution == pytest.approx(
        weight * math.log(viewers1 / viewers0), rel=1e-9
    )


def test_leaf_sql_reproduces_the_governed_totals(warehouse):
    """Every metric with leaf SQL: its leaves sum to metric_daily's total on a day, and the
    leaf table has one column per allowed dimension."""
    catalogue = load_catalogue(warehouse)
    with_leaves = catalogue[catalogue["leaf_sql"].notna() & (catalogue["status"] == "certified")]
    assert {"completion_rate", "watch_hours", "views", "impressions"} <= set(with_leaves.index)

    def on_day(measure: str) -> str:
        return leaf_value_column(measure, DAY)

    for metric, entry in with_leaves.iterrows():
        leaves = leaf_rows(warehouse, entry["leaf_sql"], [DAY])
        assert list(leaves.columns[: len(entry["allowed_dimensions"])]) == list(
            entry["allowed_dimensions"]
        )
        total = _total(warehouse, metric, DAY)
        if total is None:  # no value that day (e.g. a metric over a shorter history)
            assert leaves.empty, metric
            continue
        value, numerator, denominator = total
        if entry["metric_type"] == "ratio":
            assert leaves[on_day("numerator")].sum() == pytest.approx(numerator, rel=1e-12), metric
            assert leaves[on_day("denominator")].sum() == pytest.approx(denominator, rel=1e-12), (
                metric
            )
        elif entry["is_additive"] or entry["metric_type"] == "derived":
            assert leaves[on_day("numerator")].sum() == pytest.approx(value, rel=1e-12), metric


def test_metrics_without_leaf_sql_say_why(warehouse):
    catalogue = load_catalogue(warehouse)
    without = catalogue[catalogue["leaf_sql"].isna()]
    assert without["leaf_sql_note"].notna().all()
    assert "offset" in without.loc["watch_hours_wow_change", "leaf_sql_note"]
    explanation = _explain(warehouse, "watch_hours_wow_change")
    assert explanation.culprits.result is None
    assert "offset" in explanation.culprits.note


def test_scaled_metrics_are_their_factor_times_their_base(warehouse):
    """The catalogue's scaled_metric and scale_factor hold on every row of metric_daily."""
    catalogue = load_catalogue(warehouse)
    scaled = catalogue.dropna(subset=["scaled_metric"])
    assert {"watch_hours", "qualified_kviews"} <= set(scaled.index)
    for metric, entry in scaled.iterrows():
        pairs = warehouse.execute(
            "select scaled.value, base.value from metrics.metric_daily as scaled "
            "inner join metrics.metric_daily as base using (metric_date, dimension_name, "
            "dimension_value) where scaled.metric_name = ? and base.metric_name = ?",
            [metric, entry["scaled_metric"]],
        ).fetchall()
        assert pairs, metric
        for value, base in pairs:
            assert value == pytest.approx(entry["scale_factor"] * base, rel=1e-12), metric
    ratios = catalogue[catalogue["metric_type"] == "ratio"]
    assert ratios["scaled_metric"].isna().all()
    assert ratios["numerator_metric"].notna().all() and ratios["denominator_metric"].notna().all()


def test_an_unknown_metric_or_day_is_a_usage_error(warehouse):
    with pytest.raises(ExplainError, match="did you mean: completion_rate"):
        _explain(warehouse, "completion_rat")
    with pytest.raises(ExplainError, match="outside the data"):
        _explain(warehouse, "completion_rate", dt.date(2031, 1, 1))


def test_ratio_slices_split_the_whole_change_into_mix_and_rate(warehouse, completion):
    by_region = next(
        s for s in completion.slices if s.dimension == TRUTH_SEMANTIC_DIMENSIONS["region"]
    )
    assert by_region.kind == "ratio" and by_region.adds_up
    assert by_region.mix_effect + by_region.rate_effect == pytest.approx(completion.change)
    assert by_region.slices["dimension_value"].iloc[0] == "BR"


def test_average_day_takes_ratios_of_averaged_parts():
    rows = pd.DataFrame(
        {
            "metric_date": [dt.date(2026, 1, 1), dt.date(2026, 1, 2)] * 2,
            "metric_name": ["rate", "rate", "count", "count"],
            "value": [0.5, 0.1, 10.0, 20.0],
            "numerator": [1.0, 9.0, None, None],
            "denominator": [2.0, 90.0, None, None],
        }
    )
    mean = average_day(rows, [dt.date(2026, 1, 1), dt.date(2026, 1, 2)], ["metric_name"], True)
    assert mean.loc["rate", "value"] == pytest.approx(10 / 92)  # not (0.5 + 0.1) / 2
    assert mean.loc["count", "value"] == 15.0
    gap = average_day(
        rows.iloc[[0, 2, 3]], [dt.date(2026, 1, 1), dt.date(2026, 1, 2)], ["metric_name"], True
    )
    assert math.isnan(gap.loc["rate", "value"])


def _frames(values: dict[str, tuple[float, float]], links, units=None):
    """A tiny catalogue, tree and totals for build_driver_tree."""
    names = list(values)
    catalogue = pd.DataFrame(
        {
            "metric_name": names,
            "metric_type": ["simple"] * len(names),
            "numerator_metric": [None] * len(names),
            "denominator_metric": [None] * len(names),
            "unit": [(units or {}).get(n, "u") for n in names],
        }
    )
    tree = pd.DataFrame(
        [(child, parent, relation) for child, parent, relation in links],
        columns=["metric_name", "parent_metric", "relation"],
    )
    days = [dt.date(2026, 1, 1), dt.date(2026, 1, 2)]
    totals = pd.DataFrame(
        [(day, n, v[i], None, None) for n, v in values.items() for i, day in enumerate(days)],
        columns=["metric_date", "metric_name", "value", "numerator", "denominator"],
    )
    return catalogue, tree, totals, days


def test_sum_links_keep_parts_and_an_other_remainder():
    values = {"p": (10.0, 12.0), "a": (4.0, 5.0), "big": (30.0, 31.0), "k": (0.004, 0.005)}
    links = [("a", "p", "sum"), ("big", "p", "sum"), ("k", "p", "sum")]
    catalogue, tree, totals, days = _frames(values, links, {"k": "thousand u"})
    node = build_driver_tree("p", tree, catalogue, totals, days[:1], days[1])
    (identity,) = node.identities
    assert {c.driver: c.contribution for c in identity.contributions} == {"a": 1.0, "other": 1.0}
    assert any("big" in note for note in node.notes) and any("k is in" in n for n in node.notes)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0.1, 1e3), st.floats(0.1, 1e3)), min_size=2, max_size=4))
def test_product_links_add_up_for_any_positive_factors(factors):
    values = {f"x{i}": pair for i, pair in enumerate(factors)}
    values["p"] = (math.prod(a for a, _ in factors), math.prod(b for _, b in factors))
    links = [(f"x{i}", "p", "product") for i in range(len(factors))]
    catalogue, tree, totals, days = _frames(values, links)
    node = build_driver_tree("p", tree, catalogue, totals, days[:1], days[1])
    (identity,) = node.identities
    assert identity.total == pytest.approx(node.change, rel=1e-9, abs=1e-9)


def test_a_product_that_does_not_multiply_back_is_not_decomposed():
    values = {"p": (10.0, 12.0), "a": (2.0, 3.0), "b": (4.0, 4.0)}
    links = [("a", "p", "product"), ("b", "p", "product")]
    catalogue, tree, totals, days = _frames(values, links)
    node = build_driver_tree("p", tree, catalogue, totals, days[:1], days[1])
    assert node.identities == () and "do not multiply back" in node.notes[0]


def test_baselines():
    assert choose_baseline(DAY).dates == (dt.date(2026, 9, 17),)
    assert choose_baseline(DAY, weeks_back=2).dates == (dt.date(2026, 9, 10),)
    assert choose_baseline(DAY, baseline_days=2).dates == (
        dt.date(2026, 9, 22),
        dt.date(2026, 9, 23),
    )
    assert choose_baseline(DAY, dt.date(2026, 9, 1)).dates == (dt.date(2026, 9, 1),)
    with pytest.raises(BaselineError, match="at most one"):
        choose_baseline(DAY, dt.date(2026, 9, 1), baseline_days=2)


def test_the_leaf_table_averages_the_baseline_days_leaf_by_leaf(warehouse):
    """The leaf table of a ratio over a 3-day baseline, against pandas on the long rows the
    catalogue's leaf SQL returns: per leaf, the day's values and the mean of the baseline
    days, a day without a row counting as zero."""
    entry = load_catalogue(warehouse).loc["completion_rate"]
    dimensions = list(entry["allowed_dimensions"])
    baseline = [DAY - dt.timedelta(days=k) for k in (1, 2, 3)]
    long = warehouse.execute(
        f"select * from ({entry['leaf_sql']}) where metric_date in $days",
        {"days": [DAY, *baseline]},
    ).df()
    long["metric_date"] = pd.to_datetime(long["metric_date"]).dt.date
    measures = ["numerator", "denominator"]
    on_day = long[long["metric_date"] == DAY].groupby(dimensions)[measures].sum()
    in_baseline = long[long["metric_date"] != DAY].groupby(dimensions)[measures].sum() / 3
    expected = (
        on_day.add_prefix("actual_")
        .join(in_baseline.add_prefix("expected_"), how="outer")
        .fillna(0.0)
        .reset_index()
    )

    table = leaf_table(leaf_rows(warehouse, entry["leaf_sql"], [DAY, *baseline]), dimensions,
                       baseline, DAY)  # fmt: skip

    assert len(table) == len(expected) > 100
    assert (table[dimensions].to_numpy() == expected[dimensions].to_numpy()).all()
    for column in ("actual_numerator", "expected_numerator", "expected_denominator"):
        assert table[column].to_numpy() == pytest.approx(expected[column].to_numpy(), rel=1e-12)
