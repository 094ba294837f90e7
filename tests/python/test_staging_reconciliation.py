"""Staging loses nothing: every raw row is staged, quarantined with the planted
reason, or an exact duplicate removed, and the counts equal what the simulator
recorded in ground_truth.json."""

import pytest

RECONCILIATION = "audit.audit_pgc__row_reconciliation"
QUARANTINE = "audit.audit_pgc__quarantined_rows"
# The raw tables of docs/raw_data_contract.md. Which stg_ model stages each is
# not repeated here: the warehouse publishes that map (staged_model).
RAW_TABLES = (
    "viewers", "creators", "content", "impressions", "views", "engagements", "follows",
    "rewards_enrollments", "rewards_payouts", "experiment_assignments",
)  # fmt: skip
NOT_QUARANTINED = {"duplicate", "late_arriving"}


@pytest.fixture(scope="module")
def staged_model(warehouse) -> dict[str, str]:
    """Raw table -> the stg_ model it is staged into, as the warehouse records it."""
    return dict(
        warehouse.execute(f"select source_table, staged_model from {RECONCILIATION}").fetchall()
    )


def test_every_raw_table_is_staged(truth, staged_model, warehouse):
    assert set(RAW_TABLES) == set(truth["tables"]) == set(staged_model)
    staging_views = {
        name
        for (name,) in warehouse.execute(
            "select table_name from information_schema.tables where table_schema = 'staging'"
        ).fetchall()
    }
    assert set(staged_model.values()) <= staging_views


@pytest.mark.parametrize("table", sorted(RAW_TABLES))
def test_raw_rows_are_staged_quarantined_or_duplicates(table, raw, warehouse, truth, staged_model):
    (raw_rows,) = raw.execute(f"select count(*) from {table}").fetchone()
    (staged,) = warehouse.execute(f"select count(*) from staging.{staged_model[table]}").fetchone()
    quarantined = dict(
        warehouse.execute(
            f"select quarantine_reason, count(*) from {QUARANTINE} "
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
def test_late_arrivals_are_kept_and_flagged(table, warehouse, truth, staged_model):
    (late,) = warehouse.execute(
        f"select count(*) from staging.{staged_model[table]} where is_late_arriving"
    ).fetchone()
    assert late == truth["tables"][table]["defects"].get("late_arriving", 0)


def test_reconciliation_model_agrees_with_a_count_of_the_raw_files(raw, warehouse):
    rows = warehouse.execute(
        "select source_table, raw_row_count, duplicate_row_count, staged_row_count, "
        f"quarantined_row_count from {RECONCILIATION}"
    ).fetchall()
    assert {row[0] for row in rows} == set(RAW_TABLES)
    for table, raw_rows, duplicates, staged, quarantined in rows:
        (counted,) = raw.execute(f"select count(*) from {table}").fetchone()
        assert raw_rows == counted
        assert raw_rows == staged + quarantined + duplicates


def test_quarantine_keeps_the_whole_raw_row(warehouse):
    (missing,) = warehouse.execute(
        f"select count(*) from {QUARANTINE} "
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
