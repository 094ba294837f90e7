"""`pgc publish`: the serving snapshot is a faithful read-only copy of what readers need,
swapped in atomically; it refuses (publishing nothing) after a failed, killed or unchecked
build; a reader keeps its snapshot through a publish; `--rollback` serves the previous one.

Each test publishes from its own copy of the tiny warehouse (`make test-warehouse` built it,
checked it with `pgc check`, and logged its dbt build in build_log.dbt_invocations).
"""

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from python_checks.cli import main
from python_checks.warehouse.publish import STORAGE_VERSION, holder_pid, snapshots
from tests.python.conftest import ROOT

SOURCE = ROOT / os.environ.get("PGC_TEST_WAREHOUSE", "warehouse/tiny.duckdb")
# UTC, as dbt's build log and `pgc check` record times.
NOW = "(now() at time zone 'UTC')"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder laid out as the project's: warehouse/pgc.duckdb (a copy), nothing published."""
    (tmp_path / "warehouse").mkdir()
    shutil.copyfile(SOURCE, tmp_path / "warehouse" / "pgc.duckdb")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _pgc(capsys: pytest.CaptureFixture, *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _write(build: Path, *statements: str) -> None:
    with duckdb.connect(str(build)) as con:
        for statement in statements:
            con.execute(statement.replace("{NOW}", NOW))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _same_rows(con: duckdb.DuckDBPyConnection, left: str, right: str) -> bool:
    """The same rows, duplicates counted, in any order."""
    (differing,) = con.execute(
        f"select count(*) from ((select * from {left} except all select * from {right}) "
        f"union all (select * from {right} except all select * from {left}))"
    ).fetchone()
    (rows,) = con.execute(f"select count(*) from {left}").fetchone()
    return differing == 0 and rows > 0


def _rows(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple]:
    return sorted(con.execute(f"select * from {relation}").fetchall(), key=repr)


def test_the_snapshot_holds_every_mart_metric_table_and_the_latest_checks(site, capsys) -> None:
    code, out, err = _pgc(capsys, "publish")
    assert (code, err) == (0, "")
    link = site / "warehouse" / "serving.duckdb"
    assert link.is_symlink() and link.resolve().parent == (site / "warehouse" / "serving")
    assert f"storage {STORAGE_VERSION}" in out

    con = duckdb.connect()
    con.execute(f"attach '{site / 'warehouse' / 'pgc.duckdb'}' as build (read_only)")
    con.execute(f"attach '{link}' as snap (read_only)")
    wanted = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'build' "
        "and schema_name in ('marts', 'metrics') order by 1, 2"
    ).fetchall()
    assert len(wanted) > 20
    for schema, table in wanted:
        assert _same_rows(con, f"snap.{schema}.{table}", f"build.{schema}.{table}"), table
    # The checks: only the latest run, as the build warehouse's own view shows it.
    (latest,) = con.execute(
        "select run_id from build.checks.check_runs order by run_at desc limit 1"
    ).fetchone()
    assert _rows(con, "snap.checks.check_results") == _rows(
        con, "build.checks.latest_check_results"
    )
    assert con.execute("select distinct run_id from snap.checks.metric_anomalies").fetchall() == [
        (latest,)
    ]
    assert _rows(con, "snap.checks.latest_check_results") == _rows(
        con, "build.checks.latest_check_results"
    )
    # Provenance and the storage version older DuckDB clients read.
    snapshot = con.execute("select * from snap.publication.snapshot").df().iloc[0]
    assert snapshot["check_run_id"] == latest
    assert snapshot["storage_version"] == STORAGE_VERSION
    (tags,) = con.execute(
        "select tags from duckdb_databases() where database_name = 'snap'"
    ).fetchone()
    assert tags["storage_version"].startswith(STORAGE_VERSION)
    # Column descriptions (dbt's persist_docs) come along for BI users.
    (comment,) = con.execute(
        "select comment from duckdb_tables() where database_name = 'snap' "
        "and table_name = 'metric_daily'"
    ).fetchone()
    assert comment and comment.startswith("One row per certified metric")
    # Not copied: raw-side layers.
    schemas = {s for (s,) in con.execute(
        "select distinct schema_name from duckdb_tables() where database_name = 'snap'"
    ).fetchall()}  # fmt: skip
    assert schemas == {"marts", "metrics", "checks", "publication"}


def test_every_mart_is_public() -> None:
    """The snapshot copies the marts schema whole, which is right only while every mart is a
    public model (docs/serving.md)."""
    declared = {}
    for path in (ROOT / "models" / "marts").rglob("_*models.yml"):
        for model in yaml.safe_load(path.read_text())["models"]:
            declared[model["name"]] = model.get("config", {}).get("access")
    built = {path.stem for path in (ROOT / "models" / "marts").rglob("*.sql")}
    assert built <= set(declared)
    assert {name: access for name, access in declared.items() if access != "public"} == {}


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("drop schema checks cascade", "checks have not run"),
        (
            "insert into checks.check_runs values ('failedrun001', {NOW} "
            "+ interval 1 hour, 'w', 'validation', 1)",
            "failed a blocking check",
        ),
        (
            "insert into build_log.dbt_invocations values ('killed-build', 'build', 'start', "
            "'running', 0, {NOW} + interval 1 hour)",
            "did not finish",
        ),
        (
            "insert into build_log.dbt_invocations values ('failed-build', 'build', 'start', "
            "'running', 0, {NOW} + interval 1 hour), ('failed-build', 'build', "
            "'end', 'error', 3, {NOW} + interval 2 hour)",
            "failed (3 node(s)",
        ),
        (
            "insert into build_log.dbt_invocations values ('newer-build', 'build', 'start', "
            "'running', 0, {NOW} + interval 1 hour), ('newer-build', 'build', "
            "'end', 'success', 0, {NOW} + interval 2 hour)",
            "pgc check has not run since the latest dbt build",
        ),
        ("drop schema build_log cascade", "no dbt build is recorded"),
    ],
    ids=["no-checks", "failed-check", "killed-build", "failed-build", "unchecked-build", "no-log"],
)
def test_nothing_is_published_after_a_failed_killed_or_unchecked_build(
    site, capsys, tamper: str, reason: str
) -> None:
    assert _pgc(capsys, "publish")[0] == 0
    link = site / "warehouse" / "serving.duckdb"
    serving_before, files_before = link.resolve(), snapshots(site / "warehouse" / "serving")
    digest = _digest(serving_before)
    _write(site / "warehouse" / "pgc.duckdb", tamper)

    code, out, err = _pgc(capsys, "publish")

    assert code == 2 and out == ""
    assert err.count("\n") == 1 and reason in err and "Traceback" not in err
    assert link.resolve() == serving_before  # the last good snapshot keeps serving
    assert snapshots(site / "warehouse" / "serving") == files_before
    assert _digest(serving_before) == digest


def _reader(path: Path) -> subprocess.Popen:
    """Another process that opens the serving path read-only, prints what it sees, and again
    after each line it reads, as a dashboard holding its connection would."""
    code = (
        "import duckdb, sys\n"
        f"con = duckdb.connect('{path}', read_only=True)\n"
        "query = 'select (select snapshot_name from publication.snapshot), "
        "(select count(*) from marts.fct_rewards_daily)'\n"
        "for _ in iter(sys.stdin.readline, ''):\n"
        "    print(*con.execute(query).fetchone(), flush=True)\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


def _ask(reader: subprocess.Popen) -> tuple[str, int]:
    reader.stdin.write("\n")
    reader.stdin.flush()
    name, rows = reader.stdout.readline().split()
    return name, int(rows)


def _new_build_and_check(build: Path) -> None:
    """A later build that lost a day of a mart, and a passing check run after it."""
    _write(
        build,
        "delete from marts.fct_rewards_daily where activity_date = "
        "(select max(activity_date) from marts.fct_rewards_daily)",
        "insert into build_log.dbt_invocations values ('later-build', 'build', 'start', "
        "'running', 0, {NOW}), ('later-build', 'build', 'end', 'success', 0, "
        "{NOW})",
        "insert into checks.check_runs values ('laterrun0001', {NOW} "
        "+ interval 1 second, 'w', 'validation', 0)",
    )


def test_a_reader_keeps_its_snapshot_through_a_publish_and_old_files_wait_for_it(
    site, capsys
) -> None:
    serving_dir = site / "warehouse" / "serving"
    assert _pgc(capsys, "publish", "--keep", "1")[0] == 0
    first = snapshots(serving_dir)[-1]
    reader = _reader(site / "warehouse" / "serving.duckdb")
    try:
        before = _ask(reader)
        assert before[0] == first.stem
        assert holder_pid(first) == reader.pid

        _new_build_and_check(site / "warehouse" / "pgc.duckdb")
        code, out, _ = _pgc(capsys, "publish", "--keep", "1")
        assert code == 0 and f"kept warehouse/serving/{first.name}" in out  # held: not removed
        second = snapshots(serving_dir)[-1]
        assert first.exists() and second != first

        # The open reader still sees its own, consistent snapshot ...
        assert _ask(reader) == before
        # ... while a new connection sees the new one.
        with duckdb.connect(str(site / "warehouse" / "serving.duckdb"), read_only=True) as new:
            name, rows = new.execute(
                "select (select snapshot_name from publication.snapshot), "
                "(select count(*) from marts.fct_rewards_daily)"
            ).fetchone()
        assert (name, rows) == (second.stem, before[1] - 1)
    finally:
        reader.stdin.close()
        reader.wait()
    # Once the reader is gone, the next publish removes the old file.
    _write(
        site / "warehouse" / "pgc.duckdb",
        "insert into checks.check_runs values ('laterrun0002', {NOW} "
        "+ interval 2 second, 'w', 'validation', 0)",
    )
    code, out, _ = _pgc(capsys, "publish", "--keep", "1")
    assert code == 0 and f"removed warehouse/serving/{first.name}" in out
    assert snapshots(serving_dir) == [(site / "warehouse" / "serving.duckdb").resolve()]


def test_rollback_serves_the_previous_snapshot(site, capsys) -> None:
    assert _pgc(capsys, "publish")[0] == 0
    _new_build_and_check(site / "warehouse" / "pgc.duckdb")
    assert _pgc(capsys, "publish")[0] == 0
    first, second = snapshots(site / "warehouse" / "serving")
    link = site / "warehouse" / "serving.duckdb"
    assert link.resolve() == second

    code, out, _ = _pgc(capsys, "publish", "--rollback")
    assert code == 0 and link.resolve() == first and f"was {second.name}" in out
    with duckdb.connect(str(link), read_only=True) as con:
        assert con.execute("select snapshot_name from publication.snapshot").fetchone() == (
            first.stem,
        )
    code, _, err = _pgc(capsys, "publish", "--rollback")
    assert code == 2 and "no snapshot older than" in err and err.count("\n") == 1


def test_read_commands_open_the_serving_snapshot_unless_told(site, capsys) -> None:
    assert _pgc(capsys, "publish")[0] == 0
    (site / "warehouse" / "pgc.duckdb").rename(site / "build.duckdb")

    code, out, err = _pgc(capsys, "report", "--out", "report.html")
    assert (code, err) == (0, "")
    assert snapshots(site / "warehouse" / "serving")[-1].name in Path("report.html").read_text()

    code, out, err = _pgc(capsys, "explain", "watch_hours", "--date", "2026-09-24")
    assert code == 0 and "watch_hours" in out

    code, _, err = _pgc(
        capsys, "explain", "watch_hours", "--date", "2026-09-24", "--warehouse",
        "warehouse/pgc.duckdb",
    )  # fmt: skip
    assert code == 2 and err == "pgc explain: error: no warehouse at warehouse/pgc.duckdb: " \
        "build it with `make run`\n"  # fmt: skip


def test_a_missing_or_locked_warehouse_is_one_line(site, capsys) -> None:
    code, out, err = _pgc(capsys, "publish", "--warehouse", "nowhere.duckdb")
    assert (code, out) == (2, "")
    assert err == "pgc publish: error: no warehouse at nowhere.duckdb: build it with `make run`\n"

    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys\n"
         f"con = duckdb.connect('{site / 'warehouse' / 'pgc.duckdb'}')\n"
         "print('open', flush=True)\nsys.stdin.readline()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout.readline() == "open\n"  # a build holds the file
        for command in (["publish"], ["check"], ["report", "--warehouse", "warehouse/pgc.duckdb"]):
            code, out, err = _pgc(capsys, *command)
            assert code == 2 and err.count("\n") == 1, err
            assert "is locked by another process" in err and f"PID {writer.pid}" in err
        assert not (site / "warehouse" / "serving.duckdb").exists()
    finally:
        writer.stdin.close()
        writer.wait()


def test_make_targets_say_one_line_for_a_missing_or_locked_warehouse(tmp_path, raw_dir) -> None:
    """`make build`, `make checks` and `make publish` as a user runs them: one line from our
    code (make adds its own `Error 2` line), never a traceback. -o keeps make from
    reinstalling the environment or re-simulating data."""
    warehouse = tmp_path / "pgc.duckdb"
    make = ["make", "-s", "-C", str(ROOT), "-o", ".venv/.installed",
            "-o", f"{raw_dir}/ground_truth.json", f"RAW_DIR={raw_dir}",
            f"WAREHOUSE={warehouse}"]  # fmt: skip
    for target in ("checks", "publish"):
        result = subprocess.run([*make, target], capture_output=True, text=True)
        assert result.returncode != 0
        ours = [line for line in result.stderr.splitlines() if not line.startswith("make")]
        assert ours, result.stderr
        for line in ours:  # `checks` runs check, then report: one line each
            assert line.startswith("pgc ") and f"error: no warehouse at {warehouse}" in line
        assert "Traceback" not in result.stderr + result.stdout

    shutil.copyfile(SOURCE, warehouse)
    reader = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys\n"
         f"con = duckdb.connect('{warehouse}', read_only=True)\n"
         "print('open', flush=True)\nsys.stdin.readline()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert reader.stdout.readline() == "open\n"
        before = dt.datetime.now()
        result = subprocess.run([*make, "build"], capture_output=True, text=True)
        assert result.returncode != 0
        assert f"{warehouse} is locked by another process (PID {reader.pid})" in result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        assert "Running with dbt" not in result.stdout  # dbt never started
        assert warehouse.stat().st_mtime < before.timestamp()
    finally:
        reader.stdin.close()
        reader.wait()


def test_experiment_and_causal_results_travel_with_their_latest_runs(site, capsys) -> None:
    """`pgc experiment` and `pgc causal` keep history in `checks`; the snapshot takes each
    experiment's and each study's latest run, and the view over them."""
    _write(
        site / "warehouse" / "pgc.duckdb",
        "create table checks.experiment_runs as select * from (values "
        "('r1', timestamp '2026-11-01', 'exp_a'), ('r2', timestamp '2026-11-02', 'exp_a'), "
        "('r3', timestamp '2026-11-01', 'exp_b')) as t(run_id, run_at, experiment_id)",
        "create table checks.experiment_results as select * from (values ('r1', 'exp_a', 1.0), "
        "('r2', 'exp_a', 2.0), ('r3', 'exp_b', 3.0)) as t(run_id, experiment_id, effect)",
        "create view checks.latest_experiment_results as select results.* from "
        "checks.experiment_results as results inner join (select experiment_id, "
        "arg_max(run_id, run_at) as run_id from checks.experiment_runs group by experiment_id) "
        "as latest on results.run_id = latest.run_id",
        "create table checks.causal_estimates as select * from (values "
        "('c1', timestamp '2026-11-01', 'rewards'), ('c2', timestamp '2026-11-03', 'rewards'), "
        "('c3', timestamp '2026-11-02', 'tools')) as t(run_id, run_at, study)",
        "create table checks.causal_curves as select * from (values ('c1', 1), ('c2', 2), "
        "('c3', 3)) as t(run_id, x)",
    )
    assert _pgc(capsys, "publish")[0] == 0
    with duckdb.connect(str(site / "warehouse" / "serving.duckdb"), read_only=True) as con:

        def runs(relation: str) -> list[str]:
            return sorted(r for (r,) in con.execute(f"select run_id from {relation}").fetchall())

        assert runs("checks.experiment_runs") == ["r2", "r3"]
        assert runs("checks.experiment_results") == ["r2", "r3"]
        assert runs("checks.latest_experiment_results") == ["r2", "r3"]
        assert runs("checks.causal_estimates") == ["c2", "c3"]
        assert runs("checks.causal_curves") == ["c2", "c3"]
