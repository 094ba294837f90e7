"""A build killed half-way (SIGKILL while a model runs): the serving snapshot is untouched and
keeps answering, `pgc publish` refuses to publish the half-built warehouse, and the next
build recovers: every table equals the reference full build, incremental ones included."""

import hashlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

import duckdb
import pytest

from python_checks.cli import main
from tests.python.conftest import ROOT
from tests.python.dbt_runs import REFERENCE, dbt, dbt_command, dbt_environment, differing_tables

# An incremental model in the middle of the DAG: the kill lands in it or in one shortly after,
# with most of the build still to run.
KILL_AT = "START sql incremental model marts.fct_content_daily"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def killed(raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    site = tmp_path_factory.mktemp("killed")
    warehouse = site / "warehouse" / "pgc.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(REFERENCE, warehouse)
    serving_dir = site / "warehouse" / "serving"
    assert main(["publish", "--warehouse", str(warehouse), "--serving-dir", str(serving_dir)]) == 0
    snapshot = (site / "warehouse" / "serving.duckdb").resolve()
    digest = _digest(snapshot)

    build = subprocess.Popen(
        dbt_command("build", site, "--exclude-resource-type", "test", "unit_test"),
        cwd=ROOT,
        env=dbt_environment(raw_dir, warehouse),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    for line in build.stdout:
        seen.append(line)
        if KILL_AT in line:
            os.kill(build.pid, signal.SIGKILL)
            break
    build.stdout.close()
    build.wait()
    return {
        "site": site, "warehouse": warehouse, "serving_dir": serving_dir, "snapshot": snapshot,
        "digest": digest, "output": "".join(seen), "returncode": build.returncode,
        "raw_dir": raw_dir,
    }  # fmt: skip


def test_the_build_was_killed_in_a_model(killed) -> None:
    assert killed["returncode"] == -signal.SIGKILL
    assert KILL_AT in killed["output"]
    assert "Completed successfully" not in killed["output"]


def test_the_serving_snapshot_is_untouched_and_answers(killed) -> None:
    link = killed["site"] / "warehouse" / "serving.duckdb"
    assert link.resolve() == killed["snapshot"]
    assert _digest(killed["snapshot"]) == killed["digest"]
    with duckdb.connect(str(link), read_only=True) as con:
        (rows,) = con.execute("select count(*) from metrics.metric_daily").fetchone()
    with duckdb.connect(str(REFERENCE), read_only=True) as con:
        (expected,) = con.execute("select count(*) from metrics.metric_daily").fetchone()
    assert rows == expected


def test_publish_refuses_the_half_built_warehouse(killed, capsys) -> None:
    code = main(
        ["publish", "--warehouse", str(killed["warehouse"]), "--serving-dir",
         str(killed["serving_dir"])]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "did not finish" in err and err.count("\n") == 1
    assert (killed["site"] / "warehouse" / "serving.duckdb").resolve() == killed["snapshot"]


def test_the_next_build_recovers_and_equals_a_full_build(killed) -> None:
    result = dbt(
        "build", killed["raw_dir"], killed["warehouse"], killed["site"],
        "--exclude-resource-type", "test", "unit_test",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    assert differing_tables(killed["warehouse"]) == {}
    with duckdb.connect(str(killed["warehouse"]), read_only=True) as con:
        leftovers = con.execute(
            "select table_name from duckdb_tables() where table_name like '%__dbt_tmp%' "
            "or table_name like '%__dbt_backup%'"
        ).fetchall()
    assert leftovers == []
