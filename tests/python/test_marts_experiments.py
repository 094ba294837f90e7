"""The experiment marts against the simulator's ground truth, the hidden arms,
and a computation straight from the raw Parquet files."""

import datetime as dt
from pathlib import Path

import pytest
from scipy import stats

UNITS = "marts.fct_experiment_units"
DAILY = "marts.fct_experiment_assignment_daily"
# The per-kind marts fct_experiment_units unions, with their key column.
UNITS_BY_KIND = {
    "viewer": ("marts.fct_experiment_viewer_units", "viewer_id"),
    "creator": ("marts.fct_experiment_creator_units", "creator_id"),
}
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _unit_counts(warehouse) -> dict[tuple[str, str, str], int]:
    rows = warehouse.execute(
        f"select experiment_id, unit_type, variant, count(*) from {UNITS} group by all"
    ).fetchall()
    return {(e, u, v): n for e, u, v, n in rows}


def test_unit_counts_per_variant_equal_logged_truth(warehouse, truth):
    counts = _unit_counts(warehouse)
    expected = {
        (experiment_id, unit_type, variant): assignments[f"logged_{variant}"]
        for experiment_id, entry in truth["experiments"].items()
        for unit_type, assignments in entry["assignments"].items()
        for variant in ("control", "treatment")
    }
    assert counts == expected


def test_no_unit_has_conflicting_variants_in_clean_data(warehouse):
    (conflicting,) = warehouse.execute(
        f"select count(*) from {UNITS} where has_conflicting_variants"
    ).fetchone()
    assert conflicting == 0


def test_daily_assignments_accumulate_to_unit_counts(warehouse):
    rows = warehouse.execute(
        f"select experiment_id, unit_type, variant, max(cumulative_unit_count), "
        f"sum(new_unit_count) from {DAILY} group by all"
    ).fetchall()
    counts = _unit_counts(warehouse)
    assert {(e, u, v): (c, s) for e, u, v, c, s in rows} == {
        key: (n, n) for key, n in counts.items()
    }


def test_rank_v2_sample_ratio_mismatch_is_visible(warehouse, truth):
    rows = warehouse.execute(
        f"select variant, max(cumulative_unit_count), max(expected_variant_share) from {DAILY} "
        "where experiment_id = 'exp_rank_v2' and unit_type = 'viewer' group by 1 order by 1"
    ).fetchall()
    (_, control, control_share), (_, treatment, treatment_share) = rows
    assert truth["experiments"]["exp_rank_v2"]["sample_ratio_mismatch"]["arm"] == "treatment"
    assert treatment < control  # exposures of treated viewers are lost
    total = control + treatment
    p_value = stats.chisquare(
        [control, treatment], [total * control_share, total * treatment_share]
    ).pvalue
    if total >= 20_000:  # too few units at the tiny scale for the test to have power
        assert p_value < 0.001
    # Without the planted loss the arms are balanced: editor boost's are.
    balanced = warehouse.execute(
        f"select max(cumulative_unit_count) from {DAILY} "
        "where experiment_id = 'exp_editor_boost' group by variant"
    ).fetchall()
    assert stats.chisquare([n for (n,) in balanced]).pvalue > 0.001


@pytest.mark.parametrize("experiment_id", ["exp_editor_boost", "exp_two_sided_match"])
def test_creator_arms_match_hidden_traits(experiment_id, warehouse, raw_dir):
    arms = dict(
        warehouse.execute(
            f"select creator_id, arm_{experiment_id} "
            f"from read_parquet('{raw_dir / 'hidden_traits.parquet'}')"
        ).fetchall()
    )
    rows = warehouse.execute(
        f"select unit_id, variant from {UNITS} where experiment_id = ? and unit_type = 'creator'",
        [experiment_id],
    ).fetchall()
    assert rows
    mismatched = [unit for unit, variant in rows if (variant == "treatment") != arms[unit]]
    assert mismatched == []


# The contract's cleaning applied to the raw files, for the tables the check needs.
RAW_CLEAN_VIEWS = f"""
with
regions as (select region_code from read_csv('{SEEDS / "regions.csv"}')),
creator_types as (select creator_type from read_csv('{SEEDS / "creator_types.csv"}')),
categories as (select category_code from read_csv('{SEEDS / "content_categories.csv"}')),
tools as (select tool_code from read_csv('{SEEDS / "content_tools.csv"}')),
surfaces as (select surface_code from read_csv('{SEEDS / "surfaces.csv"}')),
clean_viewers as (
    select distinct viewer_id from viewers
    where viewer_id is not null and upper(trim(region_code)) in (select * from regions)
),
clean_creators as (
    select distinct creator_id from creators
    where creator_id is not null
      and lower(trim(creator_type)) in (select * from creator_types)
      and upper(trim(region_code)) in (select * from regions)
),
clean_content as (
    select distinct content_id from content
    where content_id is not null and published_ts_ms <= ingest_ts_ms
      and creator_id in (select * from clean_creators)
      and lower(trim(category_code)) in (select * from categories)
      and lower(trim(tool_code)) in (select * from tools)
),
clean_impressions as (
    select distinct impression_id from impressions
    where impression_id is not null and served_ts_ms <= ingest_ts_ms
      and viewer_id in (select * from clean_viewers)
      and content_id in (select * from clean_content)
      and lower(trim(surface_code)) in (select * from surfaces)
),
clean_views as (
    select distinct * from views
    where view_id is not null and viewed_ts_ms <= ingest_ts_ms
      and impression_id in (select * from clean_impressions)
      and viewer_id in (select * from clean_viewers)
      and content_id in (select * from clean_content)
      and lower(trim(surface_code)) in (select * from surfaces)
      and lower(trim(device_os)) in ('ios', 'android', 'web')
      and watch_ms between 0 and 21600000
)
"""


def test_raw_cleaning_reproduces_clean_view_count(raw, truth):
    (n,) = raw.execute(RAW_CLEAN_VIEWS + "select count(*) from clean_views").fetchone()
    assert n == truth["tables"]["views"]["clean_rows"]


def _day_start_ms(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), dt.UTC).timestamp() * 1000)


def _raw_views_in_windows(raw, truth, experiment_id: str, unit_type: str) -> tuple[int, int]:
    """Pre-period and during-experiment views of an experiment's units (as viewer
    or as creator of the viewed post), straight from the raw Parquet files."""
    entry = truth["experiments"][experiment_id]
    start = dt.date.fromisoformat(entry["start_date"])
    end = dt.date.fromisoformat(entry["end_date"])
    unit_column = "clean_views.viewer_id" if unit_type == "viewer" else "content.creator_id"
    return raw.execute(
        RAW_CLEAN_VIEWS
        + f""",
        first_exposure as (
            select unit_id, min(assigned_ts_ms) as first_ms
            from (select distinct * from experiment_assignments)
            where experiment_id = ? and lower(trim(unit_type)) = ?
              and lower(trim(variant)) in ('control', 'treatment')
              and assignment_id is not null and unit_id is not null
              and assigned_ts_ms <= ingest_ts_ms
            group by unit_id
        )
        select
            count(*) filter (where clean_views.viewed_ts_ms >= ?
                and clean_views.viewed_ts_ms < ?),
            count(*) filter (where clean_views.viewed_ts_ms >= first_exposure.first_ms
                and clean_views.viewed_ts_ms < ?)
        from clean_views
        join (select distinct content_id, creator_id from content) as content
            on clean_views.content_id = content.content_id
        join first_exposure on {unit_column} = first_exposure.unit_id
        """,
        [
            experiment_id,
            unit_type,
            _day_start_ms(start - dt.timedelta(days=14)),
            _day_start_ms(start),
            _day_start_ms(end + dt.timedelta(days=1)),
        ],
    ).fetchone()


@pytest.mark.parametrize(
    ("experiment_id", "unit_type"),
    [
        ("exp_rank_v2", "viewer"),
        ("exp_two_sided_match", "viewer"),
        ("exp_editor_boost", "creator"),
        ("exp_two_sided_match", "creator"),
    ],
)
def test_views_equal_raw_computation(experiment_id, unit_type, raw, warehouse, truth):
    pre, during = _raw_views_in_windows(raw, truth, experiment_id, unit_type)
    columns = (
        "sum(pre_view_count), sum(during_view_count)"
        if unit_type == "viewer"
        else "sum(pre_views_received_count), sum(during_views_received_count)"
    )
    mart = warehouse.execute(
        f"select {columns} from {UNITS} where experiment_id = ? and unit_type = ?",
        [experiment_id, unit_type],
    ).fetchone()
    assert pre > 0 and during > 0
    assert mart == (pre, during)


def test_two_sided_cells_add_up(warehouse):
    """Every view of a two-sided viewer is of a treatment- or control-arm creator
    when every creator is logged, which the simulator does for active creators."""
    (views, split) = warehouse.execute(
        f"select sum(during_view_count), sum(during_treatment_creator_view_count "
        f"+ during_control_creator_view_count) from {UNITS} "
        "where experiment_id = 'exp_two_sided_match' and unit_type = 'viewer'"
    ).fetchone()
    assert 0 < split <= views
    assert split / views > 0.95


def _columns(warehouse, relation: str) -> list[str]:
    schema, table = relation.split(".")
    return [
        name
        for (name,) in warehouse.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


@pytest.mark.parametrize("unit_type", sorted(UNITS_BY_KIND))
def test_unit_marts_hold_the_union_rows_of_their_kind(unit_type, warehouse):
    """fct_experiment_units is the two per-kind marts and nothing else: for each kind,
    the per-kind mart's rows equal the union's rows of that unit type, column by column
    (the union's other columns are null), as multisets."""
    relation, key = UNITS_BY_KIND[unit_type]
    columns = [column for column in _columns(warehouse, relation) if column != key]
    union_columns = _columns(warehouse, UNITS)
    assert set(columns) < set(union_columns)
    others = [c for c in union_columns if c not in columns and c not in ("unit_type", "unit_id")]
    kind_rows = f"select {key} as unit_id, {', '.join(columns)} from {relation}"
    union_rows = (
        f"select unit_id, {', '.join(columns)} from {UNITS} where unit_type = '{unit_type}'"
    )
    (count,) = warehouse.execute(f"select count(*) from {relation}").fetchone()
    assert count > 0
    for left, right in ((kind_rows, union_rows), (union_rows, kind_rows)):
        (missing,) = warehouse.execute(
            f"select count(*) from ({left} except all {right})"
        ).fetchone()
        assert missing == 0
    (filled,) = warehouse.execute(
        f"select count(*) from {UNITS} where unit_type = ? "
        f"and coalesce({', '.join(others)}) is not null",
        [unit_type],
    ).fetchone()
    assert filled == 0
