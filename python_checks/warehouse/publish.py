"""Publishing the serving snapshot: a read-only copy of what BI tools and `pgc` read, swapped
in atomically after a build whose checks passed.

    warehouse/pgc.duckdb                 the build warehouse (dbt writes it)
    warehouse/serving/pgc_<UTC time>.duckdb   one file per publish, never written again
    warehouse/serving.duckdb             a symbolic link to the current snapshot

A snapshot holds the marts, the `metrics` schema and the latest runs of the `checks` tables,
written in an older storage format (`STORAGE_VERSION`) so that DuckDB 1.4 clients open it.
The link is replaced with one rename, so a new connection sees either the old snapshot or the
new one, never a half-written file; a reader that opened the old one keeps it (its file is
not removed while a reader holds it). `publish` refuses, publishing nothing, when the latest
dbt command did not finish successfully or `pgc check` has not passed since.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from python_checks.warehouse.connection import WarehouseError, connect

DEFAULT_SERVING_DIR = Path("warehouse/serving")
# DuckDB 2.0 writes storage version 999 by default, which DuckDB 1.4 cannot open.
STORAGE_VERSION = "v1.4.0"
# Schemas copied whole (every mart is public; `metrics` is the governed layer).
WHOLE_SCHEMAS = ("marts", "metrics")
# `checks` tables copied when they exist, each with its latest run(s) only: the where clause
# of each (the tables of `pgc check`, `pgc experiment` and `pgc causal`).
LATEST_CHECK_RUN = "(select run_id from build.checks.check_runs order by run_at desc limit 1)"
LATEST_EXPERIMENT_RUNS = (
    "(select arg_max(run_id, run_at) from build.checks.experiment_runs group by experiment_id)"
)
LATEST_CAUSAL_RUNS = (
    "(select arg_max(run_id, run_at) from build.checks.causal_estimates group by study)"
)
CHECK_TABLES = {
    "check_runs": f"run_id = {LATEST_CHECK_RUN}",
    "check_results": f"run_id = {LATEST_CHECK_RUN}",
    "metric_anomalies": f"run_id = {LATEST_CHECK_RUN}",
    "experiment_runs": f"run_id in {LATEST_EXPERIMENT_RUNS}",
    "experiment_results": f"run_id in {LATEST_EXPERIMENT_RUNS}",
    "causal_estimates": f"run_id in {LATEST_CAUSAL_RUNS}",
    "causal_curves": f"run_id in {LATEST_CAUSAL_RUNS}",
}
SNAPSHOT_PATTERN = re.compile(r"^pgc_\d{8}T\d{6}_\d{6}\.duckdb$")


class PublishRefused(WarehouseError):
    """Nothing was published: a one-line reason saying what to do."""


@dataclass(frozen=True)
class PublishedTable:
    schema: str
    table: str
    rows: int


@dataclass(frozen=True)
class Publication:
    """What one `pgc publish` (or `--rollback`) did."""

    snapshot: Path  # the file the serving path now points at
    serving_path: Path
    previous: Path | None  # what it pointed at before
    tables: tuple[PublishedTable, ...]  # empty for a rollback
    size_bytes: int
    seconds: float
    removed: tuple[Path, ...]  # old snapshots deleted
    held: tuple[Path, ...]  # old snapshots kept because a reader holds them


def serving_path(serving_dir: Path) -> Path:
    """The stable path readers open: `<serving_dir>.duckdb` beside the folder."""
    return serving_dir.parent / f"{serving_dir.name}.duckdb"


def reading_path(requested: str | Path | None, build: str | Path) -> Path:
    """What a read command opens: the path asked for, else the serving snapshot when one is
    published, else the build warehouse."""
    if requested is not None:
        return Path(requested)
    serving = serving_path(DEFAULT_SERVING_DIR)
    return serving if serving.exists() else Path(build)


def snapshots(serving_dir: Path) -> list[Path]:
    """Published snapshot files, oldest first (their names sort by publish time)."""
    if not serving_dir.is_dir():
        return []
    return sorted(p for p in serving_dir.iterdir() if SNAPSHOT_PATTERN.match(p.name))


def current_snapshot(serving_dir: Path) -> Path | None:
    """The file the serving path points at, or None before the first publish."""
    link = serving_path(serving_dir)
    if not link.is_symlink():
        return None
    return link.resolve()


def holder_pid(path: Path) -> int | None:
    """The PID of a process holding a DuckDB lock on the file (a reader's shared lock or a
    writer's), or None when nobody holds it. DuckDB locks whole files with fcntl."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        # struct flock: l_type, l_whence, l_start, l_len, l_pid (Linux x86-64 and arm64).
        query = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, query)
        lock_type, _, _, _, pid = struct.unpack("hhqqi", answer)
        return None if lock_type == fcntl.F_UNLCK else pid
    finally:
        os.close(fd)


def require_unlocked(path: Path) -> None:
    """A WarehouseError naming the holder when another process holds the file's lock, so a
    build fails with one line before dbt starts (a missing file is fine: dbt creates it)."""
    pid = holder_pid(path)
    if pid is not None:
        raise WarehouseError(
            f"{path} is locked by another process (PID {pid}): a build or a reader holds it; "
            "close it (BI tools should read the serving snapshot), then run again"
        )


@contextlib.contextmanager
def _publish_lock(serving_dir: Path) -> Iterator[None]:
    serving_dir.mkdir(parents=True, exist_ok=True)
    with open(serving_dir / ".publish.lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishRefused(
                f"another `pgc publish` is running on {serving_dir}: wait for it to finish"
            ) from None
        yield


def _exists(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> bool:
    (count,) = con.execute(
        "select count(*) from duckdb_tables() where database_name = ? and schema_name = ? "
        "and table_name = ?",
        [catalog, schema, table],
    ).fetchone()
    return count > 0


def _latest_build(con: duckdb.DuckDBPyConnection, warehouse: Path) -> dt.datetime:
    """The end of the latest dbt command, when it finished successfully; else PublishRefused."""
    if not _exists(con, "build", "build_log", "dbt_invocations"):
        raise PublishRefused(
            f"no dbt build is recorded in {warehouse} (build_log.dbt_invocations): "
            "run dbt build, then pgc check, then publish"
        )
    started = con.execute(
        "select invocation_id, command, event_at from build.build_log.dbt_invocations "
        "where event = 'start' order by event_at desc limit 1"
    ).fetchone()
    if started is None:
        raise PublishRefused(f"no dbt build is recorded in {warehouse}: run dbt build first")
    invocation, command, started_at = started
    ended = con.execute(
        "select status, failed_nodes, event_at from build.build_log.dbt_invocations "
        "where invocation_id = ? and event = 'end'",
        [invocation],
    ).fetchone()
    when = f"dbt {command} {invocation[:8]} started {started_at:%Y-%m-%d %H:%M:%S} UTC"
    if ended is None:
        raise PublishRefused(
            f"the latest {when} did not finish (stopped, killed or still running): "
            "run dbt build again; nothing was published"
        )
    status, failed, ended_at = ended
    if status != "success":
        raise PublishRefused(
            f"the latest {when} failed ({failed} node(s) failed or skipped): "
            "fix it and build again; nothing was published"
        )
    return ended_at


def _latest_check_run(
    con: duckdb.DuckDBPyConnection, warehouse: Path, built_at: dt.datetime
) -> tuple[str, dt.datetime]:
    """The latest `pgc check` run, when it passed after the latest build; else PublishRefused."""
    if not _exists(con, "build", "checks", "check_runs"):
        raise PublishRefused(
            f"checks have not run on {warehouse}: run `pgc check --warehouse {warehouse}` first"
        )
    run = con.execute(
        "select run_id, run_at, exit_code from build.checks.check_runs order by run_at desc limit 1"
    ).fetchone()
    if run is None:
        raise PublishRefused(f"checks have not run on {warehouse}: run `pgc check` first")
    run_id, run_at, exit_code = run
    if exit_code != 0:
        raise PublishRefused(
            f"the latest pgc check run ({run_id}, {run_at:%Y-%m-%d %H:%M:%S} UTC) failed a "
            "blocking check: see checks.latest_check_results, fix it and run pgc check "
            "again; nothing was published"
        )
    if run_at < built_at:
        raise PublishRefused(
            f"pgc check has not run since the latest dbt build finished "
            f"({built_at:%Y-%m-%d %H:%M:%S} UTC): run `pgc check --warehouse {warehouse}`"
        )
    return run_id, run_at


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """Table and column descriptions (dbt's persist_docs) travel with the copy."""
    (comment,) = con.execute(
        "select comment from duckdb_tables() where database_name = 'build' "
        "and schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone() or (None,)
    if comment:
        con.execute(f"comment on table snap.{schema}.{table} is {_quote(comment)}")
    for column, text in con.execute(
        "select column_name, comment from duckdb_columns() where database_name = 'build' "
        "and schema_name = ? and table_name = ? and comment is not null and comment <> ''",
        [schema, table],
    ).fetchall():
        con.execute(f'comment on column snap.{schema}.{table}."{column}" is {_quote(text)}')


def _copy_check_views(con: duckdb.DuckDBPyConnection) -> None:
    """The build's `checks` views (latest_check_results, latest_experiment_results), defined
    again in the snapshot over its own tables, where those tables were copied. Their SQL
    names tables without a catalog, so they resolve in whatever catalog the file is opened
    as."""
    views = con.execute(
        "select view_name, sql from duckdb_views() where database_name = 'build' "
        "and schema_name = 'checks' and not internal order by view_name"
    ).fetchall()
    con.execute("use snap")
    try:
        for _, sql in views:
            try:
                con.execute(sql)
            except duckdb.CatalogException:
                continue  # a table it reads is not in the snapshot
    finally:
        con.execute("use memory")


def _relations(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = 'build' "
        "and schema_name = ? union select view_name from duckdb_views() "
        "where database_name = 'build' and schema_name = ? and not internal order by 1",
        [schema, schema],
    ).fetchall()
    return [name for (name,) in rows]


def _write_snapshot(
    con: duckdb.DuckDBPyConnection, target: Path, provenance: dict[str, object]
) -> tuple[PublishedTable, ...]:
    con.execute(f"attach {_quote(str(target))} as snap (storage_version '{STORAGE_VERSION}')")
    copied = []
    for schema in WHOLE_SCHEMAS:
        con.execute(f"create schema if not exists snap.{schema}")
        for table in _relations(con, schema):
            con.execute(
                f"create table snap.{schema}.{table} as select * from build.{schema}.{table}"
            )
            copied.append((schema, table))
    present = [t for t in CHECK_TABLES if _exists(con, "build", "checks", t)]
    if present:
        con.execute("create schema if not exists snap.checks")
    for table in present:
        where = CHECK_TABLES[table]
        con.execute(
            f"create table snap.checks.{table} as select * from build.checks.{table} where {where}"
        )
        copied.append(("checks", table))
    for schema, table in copied:
        _copy_comments(con, schema, table)
    counts = [
        con.execute(f"select count(*) from snap.{schema}.{table}").fetchone()[0]
        for schema, table in copied
    ]
    tables = tuple(
        PublishedTable(schema, table, rows)
        for (schema, table), rows in zip(copied, counts, strict=True)
    )
    con.execute("create schema snap.publication")
    con.execute(
        "create table snap.publication.snapshot as select ? as snapshot_name, ? as published_at, "
        "? as build_warehouse, ? as dbt_invocation_id, ? as dbt_finished_at, "
        "? as check_run_id, ? as check_run_at, ? as storage_version, ? as written_by",
        list(provenance.values()),
    )
    rows = [(t.schema, t.table, t.rows) for t in tables]
    con.execute(
        "create table snap.publication.snapshot_tables "
        "(schema_name varchar, table_name varchar, row_count bigint)"
    )
    con.executemany("insert into snap.publication.snapshot_tables values (?, ?, ?)", rows)
    con.execute("comment on table snap.publication.snapshot is 'Where this snapshot came from.'")
    _copy_check_views(con)
    con.execute("checkpoint snap")
    con.execute("detach snap")
    return tables


def _point(link: Path, snapshot: Path) -> None:
    """Atomically make `link` a relative symbolic link to `snapshot` (one rename)."""
    temporary = link.parent / f".{link.name}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    temporary.symlink_to(os.path.relpath(snapshot, link.parent))
    os.replace(temporary, link)
    directory = os.open(link.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _check_link(link: Path) -> None:
    if link.exists() and not link.is_symlink():
        raise PublishRefused(
            f"{link} is a regular file, not a link to a snapshot: move it away and publish again"
        )


def _prune(
    serving_dir: Path, keep: int, current: Path
) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """Delete snapshots beyond the newest `keep` (never the current one, never one a reader
    holds) and files of publishes that died half-way."""
    removed, held = [], []
    for leftover in serving_dir.glob(".pgc_*.partial"):
        if holder_pid(leftover) is None:
            leftover.unlink()
            removed.append(leftover)
    existing = snapshots(serving_dir)
    for path in existing[: max(len(existing) - keep, 0)]:
        if path.resolve() == current.resolve():
            continue
        if holder_pid(path) is not None:
            held.append(path)
            continue
        path.unlink()
        removed.append(path)
    return tuple(removed), tuple(held)


def publish(warehouse: Path, serving_dir: Path, keep: int = 3) -> Publication:
    """Write a new snapshot of `warehouse` and point the serving path at it; PublishRefused
    (nothing published, the current snapshot keeps serving) when the build or its checks did
    not pass."""
    if keep < 1:
        raise PublishRefused(f"--keep must be at least 1 (got {keep})")
    link = serving_path(serving_dir)
    started = time.perf_counter()
    with connect(warehouse) as probe:  # one-line errors for a missing or locked warehouse
        probe.execute("select 1")
    with _publish_lock(serving_dir):
        _check_link(link)
        previous = current_snapshot(serving_dir)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        name = f"pgc_{now:%Y%m%dT%H%M%S_%f}.duckdb"
        final = serving_dir / name
        partial = serving_dir / f".{name}.partial"
        con = duckdb.connect()
        con.execute("set enable_progress_bar = false")
        try:
            con.execute(f"attach {_quote(str(warehouse))} as build (read_only)")
            built_at = _latest_build(con, warehouse)
            (invocation,) = con.execute(
                "select invocation_id from build.build_log.dbt_invocations "
                "where event = 'end' order by event_at desc limit 1"
            ).fetchone()
            run_id, run_at = _latest_check_run(con, warehouse, built_at)
            provenance = {
                "snapshot_name": final.stem,
                "published_at": now,
                "build_warehouse": str(Path(warehouse).resolve()),
                "dbt_invocation_id": invocation,
                "dbt_finished_at": built_at,
                "check_run_id": run_id,
                "check_run_at": run_at,
                "storage_version": STORAGE_VERSION,
                "written_by": f"duckdb {duckdb.__version__}",
            }
            tables = _write_snapshot(con, partial, provenance)
        except duckdb.IOException as error:
            raise WarehouseError(
                f"could not read {warehouse} or write {partial}: {error}"
            ) from None
        finally:
            con.close()
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, final)
        _point(link, final)
        removed, held = _prune(serving_dir, keep, final)
    return Publication(
        snapshot=final,
        serving_path=link,
        previous=previous,
        tables=tables,
        size_bytes=final.stat().st_size,
        seconds=time.perf_counter() - started,
        removed=removed,
        held=held,
    )


def rollback(serving_dir: Path) -> Publication:
    """Point the serving path at the snapshot published before the current one."""
    started = time.perf_counter()
    link = serving_path(serving_dir)
    with _publish_lock(serving_dir):
        _check_link(link)
        current = current_snapshot(serving_dir)
        if current is None:
            raise PublishRefused(f"nothing is published at {link}: run pgc publish first")
        older = [p for p in snapshots(serving_dir) if p.name < current.name]
        if not older:
            raise PublishRefused(
                f"no snapshot older than {current.name} is left in {serving_dir} to roll back to"
            )
        target = older[-1]
        _point(link, target)
    return Publication(
        snapshot=target,
        serving_path=link,
        previous=current,
        tables=(),
        size_bytes=target.stat().st_size,
        seconds=time.perf_counter() - started,
        removed=(),
        held=(),
    )
