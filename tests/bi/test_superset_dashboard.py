"""The dashboard kept as code in bi/superset/ served by a real Superset over the serving
snapshot (`make test-bi`; not part of `make test`, since it needs the BI environment and
Debian's Chromium).

A warehouse is built from every tiny day but the last, checked and published; Superset
starts on 127.0.0.1 (bi/superset/serve.py, the script `make bi` runs). The tests log in
through the REST API, run every chart's saved query and check its numbers against the
build warehouse read directly, see a write refused, and screenshot the dashboard in headless
Chromium. Then the last day arrives: `dbt build`, `pgc check` and `pgc publish` run while
readers keep querying Superset, and the dashboard shows the new day afterwards. Superset is
stopped by its PID.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import requests

from tests.python.conftest import ROOT
from tests.python.dbt_runs import NO_TESTS, dbt, event_days, link_raw

BI_PYTHON = Path(os.environ.get("PGC_BI_PYTHON", ROOT / ".venv-bi" / "bin" / "python"))
SERVE = ROOT / "bi" / "superset" / "serve.py"
RAW = ROOT / os.environ.get("PGC_TEST_RAW_DIR", "data/tiny/raw")
CHARTS = {
    "Snapshot being served", "Watch hours (north star) by day", "L1 metrics, last 14 days",
    "Latest anomalies", "Experiment readouts (per unit, during the experiment)",
    "Metric catalogue",
}  # fmt: skip


def _pgc(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "python_checks.cli", *arguments],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
    )  # fmt: skip


def _serve(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BI_PYTHON), str(SERVE), *arguments], cwd=ROOT, capture_output=True, text=True
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    if not BI_PYTHON.exists():
        pytest.fail(f"no BI environment at {BI_PYTHON}: run `make test-bi` (it installs it)")
    work = tmp_path_factory.mktemp("bi")
    last_day = event_days(RAW)[-1]
    link_raw(RAW, work / "raw", skip_day=last_day)
    warehouse = work / "warehouse" / "pgc.duckdb"
    warehouse.parent.mkdir()
    built = dbt("build", work / "raw", warehouse, work, *NO_TESTS)
    assert built.returncode == 0, built.stdout[-3000:]
    checked = _pgc("check", "--warehouse", str(warehouse), "--raw", str(work / "raw"))
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr
    serving_dir = work / "warehouse" / "serving"
    published = _pgc("publish", "--warehouse", str(warehouse), "--serving-dir", str(serving_dir))
    assert published.returncode == 0, published.stderr

    port, state = _free_port(), work / "superset"
    started = _serve(
        "start", "--serving", str(work / "warehouse" / "serving.duckdb"), "--state", str(state),
        "--port", str(port),
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    pid = int((state / "superset.pid").read_text())
    try:
        yield {
            "work": work, "warehouse": warehouse, "serving_dir": serving_dir, "state": state,
            "base": f"http://127.0.0.1:{port}", "last_day": last_day, "pid": pid,
        }  # fmt: skip
    finally:
        stopped = _serve("stop", "--state", str(state))
        assert f"PID {pid}" in stopped.stdout, stopped.stdout + stopped.stderr
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


class Superset:
    """A REST client logged in as the admin `serve.py start` created."""

    def __init__(self, site: dict) -> None:
        self.base = site["base"]
        self.session = requests.Session()
        password = (site["state"] / "admin_password").read_text().strip()
        login = self.session.post(
            f"{self.base}/api/v1/security/login",
            json={"username": "admin", "password": password, "provider": "db"},
            timeout=60,
        )
        login.raise_for_status()
        self.session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"

    def get(self, path: str) -> dict:
        answer = self.session.get(f"{self.base}{path}", timeout=120)
        answer.raise_for_status()
        return answer.json()

    def charts(self) -> dict[str, dict]:
        listed = self.get("/api/v1/dashboard/pgc-metrics/charts")["result"]
        return {
            chart["slice_name"]: self.get(f"/api/v1/chart/{chart['id']}")["result"]
            for chart in listed
        }

    def data(self, chart: dict, extra_filters: list[dict] | None = None) -> pd.DataFrame:
        """Run the chart's saved query (its query context, as Superset stores it)."""
        context = json.loads(chart["query_context"])
        # The saved context names the dataset id of the Superset it was exported from.
        dataset_id = int(str(json.loads(chart["params"])["datasource"]).split("__")[0])
        context["datasource"] = {"id": dataset_id, "type": "table"}
        context["force"] = True  # no cache: what the snapshot holds now
        for query in context["queries"]:
            query["filters"] = [*query.get("filters", []), *(extra_filters or [])]
        answer = self.session.post(f"{self.base}/api/v1/chart/data", json=context, timeout=120)
        assert answer.status_code == 200, (chart["slice_name"], answer.text[:500])
        return pd.DataFrame(answer.json()["result"][0]["data"])


def _day(epoch_ms: float) -> str:
    return str(dt.datetime.fromtimestamp(epoch_ms / 1000, dt.UTC).date())


def _read(warehouse: Path, sql: str, parameters: list | None = None) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, parameters or []).df()


def _daily(warehouse: Path, metric: str, dimension: str) -> dict[tuple[str, str], float]:
    frame = _read(
        warehouse,
        "select cast(metric_date as varchar) as day, dimension_value, value "
        "from metrics.metric_daily where metric_name = ? and dimension_name = ?",
        [metric, dimension],
    )
    return {(r.day, r.dimension_value): r.value for r in frame.itertuples()}


def test_every_chart_answers_with_the_numbers_of_the_warehouse(site) -> None:
    client = Superset(site)
    charts = client.charts()
    assert set(charts) == CHARTS
    warehouse = site["warehouse"]

    # The north star, as the dashboard's Dimension filter shows it: total, then by the
    # viewer's region (named as the semantic layer names it).
    (region,) = _read(
        warehouse,
        "select distinct dimension_name from metrics.metric_daily "
        "where metric_name = 'watch_hours' and dimension_name like '%viewer_region'",
    ).dimension_name
    for dimension in ("total", region):
        frame = client.data(
            charts["Watch hours (north star) by day"],
            [{"col": "dimension_name", "op": "IN", "val": [dimension]}],
        )
        shown = {(_day(r.metric_date), r.dimension_value): r.value for r in frame.itertuples()}
        expected = _daily(warehouse, "watch_hours", dimension)
        assert shown.keys() == expected.keys() and len(shown) >= 27
        assert shown == pytest.approx(expected)

    frame = client.data(charts["L1 metrics, last 14 days"])
    shown = {(r.metric_label, _day(r.metric_date)): r.value for r in frame.itertuples()}
    expected = _read(
        warehouse,
        "with latest as (select max(metric_date) as day from metrics.metric_daily "
        "where metric_name = 'watch_hours') "
        "select catalogue.metric_label, cast(daily.metric_date as varchar) as day, daily.value "
        "from metrics.metric_daily as daily join metrics.metric_catalogue as catalogue "
        "using (metric_name), latest where catalogue.tier = 'L1' and catalogue.status = "
        "'certified' and daily.dimension_name = 'total' and daily.metric_date > latest.day - 14",
    )
    assert len(expected) >= 14 * 10
    assert shown == pytest.approx({(r.metric_label, r.day): r.value for r in expected.itertuples()})

    frame = client.data(charts["Metric catalogue"])
    expected = _read(
        warehouse,
        "select metric_name, owner from metrics.metric_catalogue where status = 'certified'",
    )
    assert sorted(zip(frame.metric_name, frame.owner, strict=True)) == sorted(
        zip(expected.metric_name, expected.owner, strict=True)
    )

    frame = client.data(charts["Latest anomalies"])
    expected = _read(
        warehouse,
        "select metric_name, dimension_name, dimension_value, cast(metric_date as varchar) as day, "
        "value from checks.metric_anomalies where is_anomaly and run_id = (select run_id from "
        "checks.check_runs order by run_at desc limit 1)",
    )
    assert 0 < len(expected) <= 500
    shown = Counter(
        (r.metric_name, r.dimension_name, r.dimension_value, _day(r.metric_date))
        for r in frame.itertuples()
    )
    assert shown == Counter(
        (r.metric_name, r.dimension_name, r.dimension_value, r.day) for r in expected.itertuples()
    )

    frame = client.data(charts["Experiment readouts (per unit, during the experiment)"])
    units = _read(
        warehouse, "select * from marts.fct_experiment_units where not has_conflicting_variants"
    )
    units["views"] = units.during_view_count.fillna(units.during_views_received_count)
    units["hours"] = units.during_watch_ms.fillna(units.during_watch_ms_received) / 3_600_000
    expected = units.groupby(["experiment_id", "variant"]).agg(
        units=("unit_id", "size"), views=("views", "mean"), hours=("hours", "mean")
    )
    shown = frame.set_index(["experiment_id", "variant"]).sort_index()
    assert list(shown.index) == list(expected.index) and len(expected) == 6
    assert list(shown.units) == list(expected.units)
    assert list(shown.views_per_unit) == pytest.approx(list(expected.views))
    assert list(shown.watch_hours_per_unit) == pytest.approx(list(expected.hours))

    frame = client.data(charts["Snapshot being served"])
    current = (site["work"] / "warehouse" / "serving.duckdb").resolve()
    assert list(frame.snapshot_name) == [current.stem]
    assert _day(frame.latest_watch_hours_date[0]) < site["last_day"]


def test_the_database_is_read_only_and_a_write_is_refused(site) -> None:
    client = Superset(site)
    snapshot = (site["work"] / "warehouse" / "serving.duckdb").resolve()
    before = _digest(snapshot)
    databases = client.get("/api/v1/database/")["result"]
    (database,) = [d for d in databases if d["database_name"] == "pgc_serving"]
    details = client.get(f"/api/v1/database/{database['id']}/connection")["result"]
    assert details["allow_dml"] is False
    assert json.loads(details["extra"])["engine_params"]["connect_args"] == {"read_only": True}
    for statement in (
        "create table metrics.scratch as select 1 as x",
        "delete from metrics.metric_daily",
    ):
        answer = client.session.post(
            f"{client.base}/api/v1/sqllab/execute/",
            json={"database_id": database["id"], "sql": statement, "schema": "metrics",
                  "runAsync": False},
            timeout=120,
        )  # fmt: skip
        assert answer.status_code >= 400, answer.text[:300]
        assert "DML" in answer.text or "read-only" in answer.text or "SELECT" in answer.text
    answer = client.session.post(
        f"{client.base}/api/v1/sqllab/execute/",
        json={"database_id": database["id"], "schema": "metrics", "runAsync": False,
              "sql": "select count(*) as n from metrics.metric_daily"},
        timeout=120,
    )  # fmt: skip
    assert answer.status_code == 200 and answer.json()["data"][0]["n"] > 0
    assert _digest(snapshot) == before


def _screenshot(site: dict, name: str) -> dict:
    out = site["work"] / name
    shot = _serve(
        "screenshot", "--url", f"{site['base']}/superset/dashboard/pgc-metrics/", "--out",
        str(out), "--state", str(site["state"]),
    )  # fmt: skip
    assert shot.returncode == 0, shot.stderr[-2000:]
    page = json.loads(shot.stdout)
    assert out.stat().st_size > 50_000
    assert set(page["titles"]) >= CHARTS and page["errors"] == []
    return page


def test_the_dashboard_renders_in_headless_chromium(site) -> None:
    page = _screenshot(site, "dashboard_before.png")
    current = (site["work"] / "warehouse" / "serving.duckdb").resolve()
    assert current.stem in page["text"]
    assert "Daily active viewers" in page["text"] and "Watch hours per view" in page["text"]


def test_a_build_and_a_publish_while_superset_serves_then_the_new_day(site) -> None:
    client = Superset(site)
    charts = client.charts()
    old = (site["work"] / "warehouse" / "serving.duckdb").resolve().stem
    outcomes: list[tuple[str, str]] = []  # (snapshot name or "failed: ...", phase)
    phase = ["build"]
    stop = threading.Event()

    def reader() -> None:
        own = Superset(site)
        while not stop.is_set() and len(outcomes) < 2000:
            for name in ("Snapshot being served", "Watch hours (north star) by day"):
                try:
                    frame = own.data(charts[name])
                    seen = frame.snapshot_name[0] if name == "Snapshot being served" else "ok"
                except Exception as error:  # a failed query is what this test counts
                    seen = f"failed: {error}"
                outcomes.append((seen, phase[0]))

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        for path in RAW.rglob(f"*_{site['last_day']}.parquet"):  # the last day arrives
            (site["work"] / "raw" / path.relative_to(RAW)).symlink_to(path)
        built = dbt("build", site["work"] / "raw", site["warehouse"], site["work"], *NO_TESTS)
        checked = _pgc(
            "check", "--warehouse", str(site["warehouse"]), "--raw", str(site["work"] / "raw")
        )
        phase[0] = "publish"
        published = _pgc(
            "publish", "--warehouse", str(site["warehouse"]), "--serving-dir",
            str(site["serving_dir"]),
        )  # fmt: skip
        phase[0] = "after"
        new = (site["work"] / "warehouse" / "serving.duckdb").resolve().stem
        # Readers go on until one of them has seen the new snapshot (or 300 more answers).
        watched = len(outcomes)
        while new not in {s for s, p in outcomes[watched:]} and len(outcomes) < watched + 300:
            stop.wait(0.2)
    finally:
        stop.set()
        for thread in readers:
            thread.join()

    assert built.returncode == 0, built.stdout[-3000:]
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert published.returncode == 0, published.stderr
    failed = [s for s, _ in outcomes if s.startswith("failed")]
    assert failed == []
    during_build = Counter(s for s, p in outcomes if p == "build")
    assert during_build[old] > 0 and new not in during_build  # old snapshot served throughout
    assert new in {s for s, p in outcomes if p == "after"}

    frame = client.data(
        charts["Watch hours (north star) by day"],
        [{"col": "dimension_name", "op": "IN", "val": ["total"]}],
    )
    shown = {_day(r.metric_date): r.value for r in frame.itertuples()}
    expected = {
        day: value for (day, _), value in _daily(site["warehouse"], "watch_hours", "total").items()
    }
    assert max(shown) == site["last_day"]
    assert shown == pytest.approx(expected)
    page = _screenshot(site, "dashboard_after.png")
    assert new in page["text"] and site["last_day"] in page["text"]
