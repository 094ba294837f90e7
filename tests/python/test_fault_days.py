"""Days that arrive wrong: an empty day, a day delivered twice, a day delivered late (after
later days were built), an old day's lost file replayed, and clock skew beyond the
late-arrival window. Counts reconcile for every raw table (raw = staged + quarantined + exact
duplicates) and nothing is counted twice.

One raw folder carries all the faults. The warehouse is built without the late and the
replayed day, again incrementally once both arrive (then `pgc check` runs), and once more
with --full-refresh. Expected numbers come from the Parquet files (read here) and from the
reference warehouse `make test-warehouse` built from clean days.
"""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tests.python.conftest import ROOT
from tests.python.dbt_runs import EVENT_TABLES, NO_TESTS, REFERENCE, dbt, event_days, link_raw

SKEWED_ROWS = 10  # of each kind
DAY_MS = 86_400_000


def _views_by_day(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select cast(view_date as varchar), count(*) from staging.stg_pgc__views group by 1"
        ).fetchall()
    return dict(rows)


def _metric_by_day(warehouse: Path, metric: str) -> dict[str, float]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select cast(metric_date as varchar), value from metrics.metric_daily "
            "where metric_name = ? and dimension_name = 'total'",
            [metric],
        ).fetchall()
    return dict(rows)


def _skewed_views(raw_dir: Path, day: str, first_id: int) -> pa.Table:
    """Copies of valid views of `day` under new ids: the first SKEWED_ROWS logged three days
    early (a client clock behind: late beyond the 24 h window), the next SKEWED_ROWS logged
    two days after they were received (a clock ahead: a future timestamp)."""
    with duckdb.connect(str(REFERENCE), read_only=True) as con:
        valid = [
            view_id
            for (view_id,) in con.execute(
                "select view_id from staging.stg_pgc__views where view_date = ? "
                "and not is_late_arriving order by view_id limit ?",
                [dt.date.fromisoformat(day), 2 * SKEWED_ROWS],
            ).fetchall()
        ]
    table = pq.read_table(raw_dir / "views" / f"views_{day}.parquet")
    table = table.filter(pc.is_in(table["view_id"], pa.array(valid)))
    table = table.sort_by("view_id").slice(0, 2 * SKEWED_ROWS)
    viewed = table["viewed_ts_ms"].to_pylist()
    ingested = table["ingest_ts_ms"].to_pylist()
    skewed = [
        viewed[i] - 3 * DAY_MS if i < SKEWED_ROWS else ingested[i] + 2 * DAY_MS
        for i in range(table.num_rows)
    ]
    table = table.set_column(
        table.schema.get_field_index("viewed_ts_ms"), "viewed_ts_ms", pa.array(skewed, pa.int64())
    )
    new_ids = pa.array(range(first_id, first_id + table.num_rows), pa.int64())
    return table.set_column(table.schema.get_field_index("view_id"), "view_id", new_ids)


# The event time of each event table (rewards payouts have a date only).
EVENT_TIME = {
    "impressions": "served_ts_ms", "views": "viewed_ts_ms", "engagements": "engaged_ts_ms",
    "follows": "event_ts_ms", "experiment_assignments": "assigned_ts_ms",
}  # fmt: skip


def _restamped(path: Path, table_name: str, shift_ms: int) -> pa.Table:
    """The file's rows as the pipeline receives them when the file arrives `shift_ms` late:
    ingest_ts_ms later by the shift. A row logged ahead of its receipt (a planted future
    timestamp) keeps that lead, so it stays quarantined as it was."""
    table = pq.read_table(path)
    ingest = pc.add(table["ingest_ts_ms"], shift_ms)
    if table_name in EVENT_TIME:
        event = table[EVENT_TIME[table_name]]
        ahead = pc.greater(event, table["ingest_ts_ms"])
        shifted = pc.if_else(ahead, pc.add(event, shift_ms), event)
        table = table.set_column(
            table.schema.get_field_index(EVENT_TIME[table_name]), EVENT_TIME[table_name], shifted
        )
    return table.set_column(table.schema.get_field_index("ingest_ts_ms"), "ingest_ts_ms", ingest)


def _pgc_check(raw: Path, warehouse: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "python_checks.cli", "check", "--warehouse", str(warehouse),
         "--raw", str(raw)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def days(raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("day_faults")
    raw, warehouse = work / "raw", work / "pgc.duckdb"
    calendar = event_days(raw_dir)
    empty, replayed, twice = calendar[2], calendar[5], calendar[9]
    skew, late = calendar[15], calendar[-2]
    link_raw(raw_dir, raw)
    for table in EVENT_TABLES:
        for day in (late, replayed):  # not delivered yet
            (raw / table / f"{table}_{day}.parquet").unlink()
        path = raw / table / f"{table}_{empty}.parquet"  # the empty day: files with no rows
        schema = pq.read_schema(path)
        path.unlink()
        pq.write_table(schema.empty_table(), path)
    redelivered = raw / "views" / f"views_{twice}_redelivered.parquet"
    redelivered.write_bytes((raw_dir / "views" / f"views_{twice}.parquet").read_bytes())
    ((max_id, max_ingest),) = duckdb.sql(
        f"select max(view_id), max(ingest_ts_ms) from read_parquet('{raw_dir}/*/*.parquet', "
        "union_by_name = true)"
    ).fetchall()
    skewed = _skewed_views(raw_dir, skew, max_id + 1)
    pq.write_table(skewed, raw / "views" / f"views_{skew}_skewed.parquet")

    first = dbt("build", raw, warehouse, work, *NO_TESTS)
    assert first.returncode == 0, first.stdout[-3000:]
    views_before_late = _views_by_day(warehouse)
    ((first_late_ingest,),) = duckdb.sql(
        f"select min(ingest_ts_ms) from read_parquet('{raw_dir}/*/*_{late}.parquet', "
        "union_by_name = true)"
    ).fetchall()
    shift = max_ingest + 3_600_000 - first_late_ingest  # received after every day built
    for table in EVENT_TABLES:
        # The late day arrives, received now; an old day's lost file is replayed as it was
        # first logged, its rows stamped with their original ingestion times.
        pq.write_table(
            _restamped(raw_dir / table / f"{table}_{late}.parquet", table, shift),
            raw / table / f"{table}_{late}.parquet",
        )
        (raw / table / f"{table}_{replayed}.parquet").symlink_to(
            raw_dir / table / f"{table}_{replayed}.parquet"
        )
    second = dbt("build", raw, warehouse, work, *NO_TESTS)
    assert second.returncode == 0, second.stdout[-3000:]
    after_incremental = {"views": _views_by_day(warehouse), "check": _pgc_check(raw, warehouse)}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        after_incremental["results"] = con.execute(
            "select check_name, subject, status, blocking, detail from "
            "checks.latest_check_results where check_name = 'reconciliation.raw_to_staging'"
        ).fetchall()
    third = dbt("build", raw, warehouse, work, *NO_TESTS, "--full-refresh")
    assert third.returncode == 0, third.stdout[-3000:]
    return {
        "raw": raw, "warehouse": warehouse, "empty": empty, "twice": twice, "skew": skew,
        "late": late, "replayed": replayed, "skewed_ids": skewed["view_id"].to_pylist(),
        "views_before_late": views_before_late, "after_incremental": after_incremental,
        "redelivered_rows": pq.read_metadata(redelivered).num_rows,
    }  # fmt: skip


def _shifted(day: str, days_: int) -> str:
    return str(dt.date.fromisoformat(day) + dt.timedelta(days=days_))


def test_every_raw_row_is_staged_quarantined_or_a_counted_duplicate(days) -> None:
    con = duckdb.connect()
    con.execute(f"attach '{days['warehouse']}' as built (read_only)")
    reconciliation = {
        row[0]: row[1:]
        for row in con.execute(
            "select source_table, raw_row_count, duplicate_row_count, staged_row_count, "
            "quarantined_row_count from built.audit.audit_pgc__row_reconciliation"
        ).fetchall()
    }
    for table, (raw, duplicates, staged, quarantined) in reconciliation.items():
        folder = days["raw"] / table
        files = f"{folder}/*.parquet" if folder.is_dir() else f"{folder}.parquet"
        source = f"read_parquet('{files}', union_by_name = true)"
        (raw_rows,) = con.execute(f"select count(*) from {source}").fetchone()
        (distinct_rows,) = con.execute(
            f"select count(*) from (select distinct * from {source})"
        ).fetchone()
        (quarantined_rows,) = con.execute(
            "select count(*) from built.audit.audit_pgc__quarantined_rows where source_table = ?",
            [table],
        ).fetchone()
        assert raw == raw_rows, table
        assert duplicates == raw_rows - distinct_rows, table
        assert quarantined == quarantined_rows, table
        assert raw_rows == staged + quarantined_rows + duplicates, table
    assert set(reconciliation) >= set(EVENT_TABLES)


def test_an_empty_day_stages_nothing_and_no_other_day_changes(days) -> None:
    views = _views_by_day(days["warehouse"])
    reference = _views_by_day(REFERENCE)
    assert days["empty"] not in views and reference[days["empty"]] > 0
    backward = _shifted(days["skew"], -3)  # where the skewed rows land
    unchanged = set(reference) - {days["empty"], backward}
    assert {day: views.get(day) for day in unchanged} == {day: reference[day] for day in unchanged}


def test_a_day_delivered_twice_is_counted_once(days) -> None:
    assert days["redelivered_rows"] > 0
    assert (
        _views_by_day(days["warehouse"])[days["twice"]] == _views_by_day(REFERENCE)[days["twice"]]
    )
    for metric in ("views", "watch_hours", "daily_active_viewers"):
        assert _metric_by_day(days["warehouse"], metric)[days["twice"]] == pytest.approx(
            _metric_by_day(REFERENCE, metric)[days["twice"]]
        ), metric


def test_a_day_delivered_after_later_days_is_loaded_once(days) -> None:
    """Received after the later days were built: the incremental run picks it up (its
    ingestion time is recent), flags its rows late, and counts each once."""
    late = days["late"]
    assert late not in days["views_before_late"]
    assert _shifted(late, 1) in days["views_before_late"]  # later days were already built
    assert days["after_incremental"]["views"][late] == _views_by_day(REFERENCE)[late]
    with duckdb.connect(str(days["warehouse"]), read_only=True) as con:
        flags = con.execute(
            "select is_late_arriving, count(*) from staging.stg_pgc__views "
            "where view_date = ? group by 1",
            [dt.date.fromisoformat(late)],
        ).fetchall()
    assert flags == [(True, _views_by_day(REFERENCE)[late])]
    for metric in ("views", "watch_hours", "daily_active_viewers"):
        assert _metric_by_day(days["warehouse"], metric)[late] == pytest.approx(
            _metric_by_day(REFERENCE, metric)[late]
        ), metric


def test_a_replayed_old_file_is_caught_by_the_checks_and_loaded_by_a_full_refresh(days) -> None:
    """A lost file replayed with its original ingestion times, older than the incremental
    window: the incremental run skips it, `pgc check` fails its blocking raw-to-staging
    reconciliation for each such table (so nothing is published), and `dbt build
    --full-refresh` loads it."""
    replayed = days["replayed"]
    incremental = days["after_incremental"]
    assert incremental["views"].get(replayed) is None
    assert incremental["check"].returncode == 1
    failed = {subject: detail for _, subject, status, _, detail in incremental["results"]
              if status == "fail"}  # fmt: skip
    assert set(failed) >= {"views", "impressions"}
    ((replayed_views,),) = duckdb.sql(
        f"select count(*) from read_parquet('{days['raw']}/views/views_{replayed}.parquet')"
    ).fetchall()
    assert failed["views"].startswith("+") and "rows unaccounted" in failed["views"]
    assert replayed_views > 0
    assert _views_by_day(days["warehouse"])[replayed] == _views_by_day(REFERENCE)[replayed]


def test_clock_skew_beyond_the_late_window_is_flagged_or_quarantined(days) -> None:
    behind, ahead = days["skewed_ids"][:SKEWED_ROWS], days["skewed_ids"][SKEWED_ROWS:]
    with duckdb.connect(str(days["warehouse"]), read_only=True) as con:
        staged = con.execute(
            "select cast(view_date as varchar), is_late_arriving, count(*) "
            "from staging.stg_pgc__views where view_id in (select unnest(?)) group by 1, 2",
            [behind],
        ).fetchall()
        quarantined = con.execute(
            "select quarantine_reason, count(*) from staging.base_pgc__views "
            "where view_id in (select unnest(?)) group by 1",
            [ahead],
        ).fetchall()
    assert staged == [(_shifted(days["skew"], -3), True, SKEWED_ROWS)]
    assert quarantined == [("future_timestamp", SKEWED_ROWS)]
