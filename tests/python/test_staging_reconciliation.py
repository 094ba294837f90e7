"""Staging loses nothing: every raw row is staged, quarantined with the planted
reason, or an exact duplicate removed, and the counts equal what the simulator
recorded in ground_truth.json."""

import pytest

STAGED_MODEL = {
    "viewers": "stg_pgc__viewers",
    "creators": "stg_pgc__creators",
    "content": "stg_pgc__content_items",
    "impressions": "stg_pgc__impressions",
    "views": "stg_pgc__views",
    "engagements": "stg_pgc__engagements",
    "follows": "stg_pgc__follow_events",
    "rewards_enrollments": "stg_pgc__rewards_enrollments",
    "rewards_payouts": "stg_pgc__rewards_payouts",
    "experiment_assignments": "stg_pgc__experiment_assignments",
}
NOT_QUARANTINED = {"duplicate", "late_arriving"}


def test_every_raw_table_is_staged(truth):
    assert set(STAGED_MODEL) == set(truth["tables"])


@pytest.mark.parametrize("table", sorted(STAGED_MODEL))
def test_raw_rows_are_staged_quarantined_or_duplicates(table, raw, warehouse, truth):
    (raw_rows,) = raw.execute(f"select count(*) from {table}").fetchone()
    (staged,) = warehouse.execute(f"select count(*) from staging.{STAGED_MODEL[table]}").fetchone()
    quarantined = dict(
        warehouse.execute(
            "select quarantine_reason, count(*) from staging.stg_pgc__quarantined_rows "
            "where source_table = ? group by 1",
            [table],
        ).fetchall()
    )
    planted = truth["tables"][table]["defects"]
    duplicates = planted.get("duplicate", 0)

    assert raw_rows == staged + sum(quarantined.values()) + duplicates
    assert staged == truth["tables"][table]["clean_rows"]
    expected = {reason: n for reason, n in planted.items() if reason not in NOT_QUARANTINED}
    assert quarantined == expected


@pytest.mark.parametrize(
    "table", ["impressions", "views", "engagements", "follows", "experiment_assignments"]
)
def test_late_arrivals_are_kept_and_flagged(table, warehouse, truth):
    (late,) = warehouse.execute(
        f"select count(*) from staging.{STAGED_MODEL[table]} where is_late_arriving"
    ).fetchone()
    assert late == truth["tables"][table]["defects"].get("late_arriving", 0)


def test_reconciliation_model_agrees_with_a_count_of_the_raw_files(raw, warehouse):
    rows = warehouse.execute(
        "select source_table, raw_row_count, duplicate_row_count, staged_row_count, "
        "quarantined_row_count from staging.stg_pgc__row_reconciliation"
    ).fetchall()
    assert {row[0] for row in rows} == set(STAGED_MODEL)
    for table, raw_rows, duplicates, staged, quarantined in rows:
        (counted,) = raw.execute(f"select count(*) from {table}").fetchone()
        assert raw_rows == counted
        assert raw_rows == staged + quarantined + duplicates


def test_quarantine_keeps_the_whole_raw_row(warehouse):
    (missing,) = warehouse.execute(
        "select count(*) from staging.stg_pgc__quarantined_rows "
        "where raw_row_json is null or raw_row_json not like '{%}'"
    ).fetchone()
    assert missing == 0


def test_enum_spelling_noise_is_normalized_not_quarantined(raw, warehouse):
    (messy,) = raw.execute(
        "select count(*) from views where surface_code <> lower(trim(surface_code))"
    ).fetchone()
    assert messy > 0
    surfaces = {
        row[0]
        for row in warehouse.execute(
            "select distinct surface_code from staging.stg_pgc__views"
        ).fetchall()
    }
    assert surfaces == {"for_you", "following", "search", "profile"}
