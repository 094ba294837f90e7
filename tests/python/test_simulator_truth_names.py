"""ground_truth.json names metrics by the metric catalogue's names.

simulator/truth.py documents the fields that hold metric names; a check reads
them and looks the metric up in `metrics.metric_catalogue` with no
translation table. Every other key is kept from spelling a catalogue metric,
so an estimand (a per-creator lift, a view-rate multiplier) cannot be
mistaken for one.
"""

from collections.abc import Iterator

import pytest

# Paths of the dicts whose keys are catalogue metric names: "*" is any key
# (a date, an experiment, a dimension or its value), "[]" any list element.
METRIC_KEYED = (
    ("daily", "*"),
    ("daily_by_slice", "*", "*", "*"),
    ("incidents", "[]", "effects", "*", "*"),
    ("experiments", "*", "expected_totals_of_treated_units"),
    ("experiments", "*", "true_relative_effect_on_treated_units"),
    ("experiments", "*", "true_relative_effect_on_platform_total"),
    ("experiments", "*", "naive_relative_lift_per_creator"),
    ("experiments", "*", "true_traffic_by_arm", "*"),
    ("experiments", "*", "true_multiplier_by_cell"),
    ("experiments", "*", "expected_totals_by_arm", "*"),
    ("experiments", "*", "true_relative_effect_on_control_units"),
    ("experiments", "*", "true_relative_effect_on_treated_side", "*"),
    ("experiments", "*", "true_relative_effect_on_exposure_shares"),
)
AFFECTED_METRICS = ("incidents", "[]", "affected_metrics")  # a list of names
RAW_TABLES = ("tables",)  # keys are raw tables: views, impressions, follows, ...


def _keys(node, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """(path of the dict, key) for every key of every dict in the truth."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key
            yield from _keys(value, (*path, key))
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item, (*path, "[]"))


def _matches(path: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    return len(path) == len(pattern) and all(
        wanted in ("*", got) for got, wanted in zip(path, pattern, strict=True)
    )


def metric_names_by_field(truth: dict) -> dict[tuple[str, ...], set[str]]:
    """Every metric name in the truth, by the field that holds it."""
    names: dict[tuple[str, ...], set[str]] = {pattern: set() for pattern in METRIC_KEYED}
    for path, key in _keys(truth):
        for pattern in METRIC_KEYED:
            if _matches(path, pattern):
                names[pattern].add(key)
    names[AFFECTED_METRICS] = {
        name for incident in truth.get("incidents", []) for name in incident["affected_metrics"]
    }
    return names


@pytest.fixture(scope="module")
def catalogue(warehouse) -> frozenset[str]:
    rows = warehouse.execute("select metric_name from metrics.metric_catalogue").fetchall()
    return frozenset(name for (name,) in rows)


def test_every_metric_the_truth_names_is_in_the_catalogue(truth, catalogue):
    unknown = {
        ".".join(field): sorted(names - catalogue)
        for field, names in metric_names_by_field(truth).items()
        if names - catalogue
    }
    assert not unknown, f"ground_truth.json names metrics the catalogue lacks: {unknown}"


def test_every_field_that_holds_metric_names_holds_some(truth):
    """The tiny run has every incident and experiment, so no field is empty: a
    field renamed in the simulator and not here would leave the test blind."""
    empty = [".".join(field) for field, names in metric_names_by_field(truth).items() if not names]
    assert not empty, f"no metric names found in {empty}"


def test_no_other_key_spells_a_catalogue_metric(truth, catalogue):
    misleading = sorted(
        {
            ".".join((*path, key))
            for path, key in _keys(truth)
            if key in catalogue
            and path[: len(RAW_TABLES)] != RAW_TABLES
            and not any(_matches(path, pattern) for pattern in METRIC_KEYED)
        }
    )
    assert not misleading, f"keys outside the metric fields spell catalogue metrics: {misleading}"


def test_the_collector_finds_an_unknown_name():
    truth = {
        "daily": {"2026-09-07": {"views": 1, "watch_ms": 2}},
        "incidents": [{"affected_metrics": ["watch_time"], "effects": {}}],
    }
    names = metric_names_by_field(truth)
    assert names[("daily", "*")] == {"views", "watch_ms"}
    assert names[AFFECTED_METRICS] == {"watch_time"}
