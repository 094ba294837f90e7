"""Damaged raw files and raw tables that change shape. The raw schema check (dbt's
on-run-start, macros/staging/check_raw_sources.sql) reads every file's schema before any model
runs, so a bad file fails the whole build with nothing written, and a rerun after the fix
loads the day.

The warehouse starts as a build of every day but the last; the last day then arrives with a
fault. `make test-warehouse` built the reference from all days.
"""

import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.python.dbt_runs import (
    NO_TESTS,
    dbt,
    differing_tables,
    event_days,
    link_raw,
    replace_file,
)


@pytest.fixture(scope="module")
def lab(raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A warehouse of every day but the last (kept as a pristine copy), and the paths every
    run of this module shares."""
    work = tmp_path_factory.mktemp("raw_faults")
    last_day = event_days(raw_dir)[-1]
    link_raw(raw_dir, work / "raw", skip_day=last_day)
    result = dbt("build", work / "raw", work / "pgc.duckdb", work, *NO_TESTS)
    assert result.returncode == 0, result.stdout[-3000:]
    shutil.copyfile(work / "pgc.duckdb", work / "before_last_day.duckdb")
    return {"work": work, "raw_dir": raw_dir, "last_day": last_day}


def _fresh(lab: dict) -> Path:
    """The warehouse as it was before the last day, and the full raw folder linked again."""
    work = lab["work"]
    for leftover in work.glob("pgc.duckdb*"):
        leftover.unlink()
    shutil.copyfile(work / "before_last_day.duckdb", work / "pgc.duckdb")
    link_raw(lab["raw_dir"], work / "raw")
    return work / "raw"


def _build(lab: dict):
    return dbt("build", lab["work"] / "raw", lab["work"] / "pgc.duckdb", lab["work"], *NO_TESTS)


def _latest_view_day(lab: dict) -> str:
    with duckdb.connect(str(lab["work"] / "pgc.duckdb"), read_only=True) as con:
        (day,) = con.execute("select max(view_date) from staging.stg_pgc__views").fetchone()
    return str(day)


def _table_digest(lab: dict) -> dict[str, int]:
    with duckdb.connect(str(lab["work"] / "pgc.duckdb"), read_only=True) as con:
        return dict(
            con.execute(
                "select schema_name || '.' || table_name, estimated_size from duckdb_tables() "
                "where schema_name in ('staging', 'marts', 'metrics')"
            ).fetchall()
        )


def _unfinished_builds(lab: dict) -> int:
    with duckdb.connect(str(lab["work"] / "pgc.duckdb"), read_only=True) as con:
        (count,) = con.execute(
            "select count(*) from build_log.dbt_invocations as started "
            "where event = 'start' and not exists (select 1 from build_log.dbt_invocations "
            "as ended where ended.invocation_id = started.invocation_id and event = 'end')"
        ).fetchone()
    return count


@pytest.mark.parametrize("damage", ["truncated", "not_parquet"])
def test_a_damaged_file_fails_the_build_naming_it_and_a_rerun_after_the_fix_loads_it(
    lab: dict, damage: str
) -> None:
    raw = _fresh(lab)
    table = "views" if damage == "truncated" else "impressions"
    damaged = raw / table / f"{table}_{lab['last_day']}.parquet"
    content = damaged.read_bytes()
    replace_file(
        damaged,
        content[: len(content) // 2] if damage == "truncated" else b"<html>502 Bad Gateway</html>",
    )
    before = _table_digest(lab)

    failed = _build(lab)

    assert failed.returncode != 0
    assert str(damaged) in failed.stdout  # the error names the file
    assert "Traceback" not in failed.stdout
    # Nothing of the day (or of anything else) was written: no model ran.
    assert " START sql " not in failed.stdout
    assert _table_digest(lab) == before and _latest_view_day(lab) < lab["last_day"]
    assert _unfinished_builds(lab) == 1  # so `pgc publish` refuses this warehouse

    if damage != "truncated":
        return  # one rerun after a fix shows the day loads; the other damage fails the same way
    replace_file(damaged, content)  # the fixed file arrives
    fixed = _build(lab)
    assert fixed.returncode == 0, fixed.stdout[-3000:]
    assert _latest_view_day(lab) == lab["last_day"]
    assert differing_tables(lab["work"] / "pgc.duckdb") == {}


def _rewrite(path: Path, change) -> None:
    table = pq.read_table(path)
    path.unlink()
    pq.write_table(change(table), path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.drop(["watch_ms"]),
            "raw table views: column watch_ms is missing (the contract says int64) in views_",
        ),
        (
            lambda t: t.set_column(
                t.schema.get_field_index("is_completed"),
                "is_completed",
                t["is_completed"].cast(pa.string()),
            ),
            "raw table views: column is_completed is string (the contract says bool) in views_",
        ),
    ],
    ids=["missing-column", "retyped-column"],
)
def test_a_missing_or_retyped_column_fails_the_build_naming_table_and_column(
    lab: dict, change, message: str
) -> None:
    raw = _fresh(lab)
    path = raw / "views" / f"views_{lab['last_day']}.parquet"
    _rewrite(path, change)
    before = _table_digest(lab)

    failed = _build(lab)

    assert failed.returncode != 0
    assert f"{message}{lab['last_day']}.parquet" in failed.stdout
    assert "Raw schema check failed; nothing was built" in failed.stdout
    assert "models/staging/pgc/_pgc__sources.yml" in failed.stdout  # what to change
    assert " START sql " not in failed.stdout
    assert _table_digest(lab) == before


def test_an_extra_column_is_ignored_with_a_warning(lab: dict) -> None:
    """An extra column in the last day's file and in the first day's (where a reader that
    takes the first file's schema would expect it in every file): the build warns, naming
    table, column and files, and builds exactly the reference tables."""
    raw = _fresh(lab)
    first_day = event_days(lab["raw_dir"])[0]
    for day in (first_day, lab["last_day"]):
        _rewrite(
            raw / "views" / f"views_{day}.parquet",
            lambda t: t.append_column("client_build", pa.array(["b123"] * len(t))),
        )

    result = _build(lab)

    assert result.returncode == 0, result.stdout[-3000:]
    assert (
        "raw table views: extra column client_build (string) is not in the contract and is "
        f"ignored in views_{first_day}.parquet, views_{lab['last_day']}.parquet"
    ) in result.stdout
    assert differing_tables(lab["work"] / "pgc.duckdb") == {}
