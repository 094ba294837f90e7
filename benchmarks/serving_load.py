"""Readers under load through a rebuild: 8 processes loop the dashboard's queries while
`dbt build`, `pgc check` and `pgc publish` run; p50/p95 latency and failed queries.

    python -m benchmarks.serving_load --raw data/tiny/raw [--readers 8] [--max-seconds 900]

Set-up (not timed): a warehouse of every day but the last, checked and published. Then:

- serving: the readers open the serving snapshot (a new read-only connection per query, as
  Superset does) while the last day arrives and is built, checked and published;
- build file (for contrast): the same readers open the build warehouse itself, as BI tools
  did before snapshots, while the same build runs again.

Each reader stops after --max-queries or --max-seconds, and once the phase's work is done and
it has run every query once more. Everything happens in a temporary folder; results are
printed and written to benchmarks/results/serving_load.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).parent / "dbt"
EVENT_TABLES = (
    "impressions", "views", "engagements", "follows", "rewards_payouts", "experiment_assignments",
)  # fmt: skip

# The queries of the dashboard in bi/superset/dashboard/, one per chart, as plain SQL.
LATEST_DAY = "(select max(metric_date) from metrics.metric_daily where metric_name = 'watch_hours')"
DASHBOARD_QUERIES = {
    "snapshot": "select snapshot_name, published_at, check_run_id, "
    f"{LATEST_DAY} as latest_day from publication.snapshot",
    "north_star": "select metric_date, dimension_value, max(value) as value "
    "from metrics.metric_daily where metric_name = 'watch_hours' and dimension_name = 'total' "
    "group by 1, 2 order by 3 limit 10000",
    "l1_14_days": "select catalogue.metric_label, daily.metric_date, max(daily.value) as value "
    "from metrics.metric_daily as daily join metrics.metric_catalogue as catalogue "
    "using (metric_name) where catalogue.tier = 'L1' and catalogue.status = 'certified' "
    f"and daily.dimension_name = 'total' and daily.metric_date > {LATEST_DAY} - 14 "
    "group by 1, 2 limit 10000",
    "catalogue": "select metric_name, metric_label, tier, status, unit, owner, description "
    "from metrics.metric_catalogue where status = 'certified' order by tier, metric_name "
    "limit 1000",
    "anomalies": "select metric_date, metric_name, dimension_name, dimension_value, value, "
    "expected, score, direction from checks.metric_anomalies where is_anomaly "
    "order by metric_date desc, score desc limit 500",
    "experiments": "select experiment_id, variant, count(*) as units, "
    "avg(coalesce(during_view_count, during_views_received_count)) as views_per_unit, "
    "avg(coalesce(during_watch_ms, during_watch_ms_received) / 3600000.0) "
    "as watch_hours_per_unit from marts.fct_experiment_units "
    "where not has_conflicting_variants group by 1, 2 order by 1 limit 1000",
}


def _environment(raw: Path, warehouse: Path) -> dict[str, str]:
    return {
        **os.environ, "PGC_RAW_DIR": str(raw), "PGC_DUCKDB_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(ROOT), "DO_NOT_TRACK": "1", "PYTHONPATH": str(ROOT),
    }  # fmt: skip


def _run(command: list[str], raw: Path, warehouse: Path, work: Path) -> tuple[float, int, str]:
    started = time.perf_counter()
    result = subprocess.run(
        command, cwd=ROOT, env=_environment(raw, warehouse), capture_output=True, text=True
    )
    output = (result.stdout + result.stderr)[-400:].strip().replace("\n", " | ")
    return time.perf_counter() - started, result.returncode, output


def _dbt_build(raw: Path, warehouse: Path, work: Path) -> tuple[float, int, str]:
    command = [
        str(DBT), "build", "--target-path", str(work / "target"), "--log-path",
        str(work / "logs"), "--exclude-resource-type", "test", "unit_test",
    ]  # fmt: skip
    return _run(command, raw, warehouse, work)


def _pgc(raw: Path, warehouse: Path, work: Path, *arguments: str) -> tuple[float, int, str]:
    return _run([sys.executable, "-m", "python_checks.cli", *arguments], raw, warehouse, work)


def _reader(path: str, queries: dict[str, str], done, rounds, results, limits) -> None:
    import duckdb

    max_queries, deadline = limits
    timings, own_rounds, rounds_after_done = [], 0, 0
    while len(timings) < max_queries and time.time() < deadline and rounds_after_done < 1:
        finishing = done.is_set()
        for name, sql in queries.items():
            started = time.perf_counter()
            try:
                with duckdb.connect(path, read_only=True) as con:
                    row = con.execute(sql).fetchone()
                seen = row[0] if name == "snapshot" else ""
                timings.append((time.time(), time.perf_counter() - started, "", name, seen))
            except Exception as error:  # counted, not raised: failed queries are the measure
                timings.append(
                    (time.time(), time.perf_counter() - started, str(error)[:160], name, "")
                )
        own_rounds += 1
        with rounds.get_lock():
            rounds.value += 1
        rounds_after_done += finishing
    results.put(timings)


def _phase(path: Path, queries: dict[str, str], readers: int, work_steps, limits) -> dict:
    context = multiprocessing.get_context("spawn")
    done, rounds, results = context.Event(), context.Value("i", 0), context.Queue()
    deadline = time.time() + limits[1]
    processes = [
        context.Process(
            target=_reader, args=(str(path), queries, done, rounds, results, (limits[0], deadline))
        )
        for _ in range(readers)
    ]
    for process in processes:
        process.start()
    while rounds.value < readers and time.time() < deadline:  # every reader warmed up
        time.sleep(0.05)
    started = time.time()
    steps = work_steps()
    finished = time.time()
    done.set()
    timings = [timing for _ in processes for timing in results.get()]
    for process in processes:
        process.join()
    latencies = sorted(latency for _, latency, error, _, _ in timings if not error)
    during = [t for t in timings if started <= t[0] <= finished]
    errors = [error for _, _, error, _, _ in timings if error]
    return {
        "queries": len(timings),
        "queries_during_work": len(during),
        "failed": len(errors),
        "failed_during_work": sum(1 for t in during if t[2]),
        "first_errors": sorted(set(errors))[:3],
        "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1)
        if latencies
        else None,
        "p95_ms_during_work": _p95([t[1] for t in during if not t[2]]),
        "snapshots_seen": sorted({t[4] for t in timings if t[4]}),
        "steps": steps,
        "work_seconds": round(finished - started, 1),
    }


def _step(seconds: float, code: int, output: str) -> dict:
    return {"seconds": round(seconds, 1), "exit": code, **({"output": output} if code else {})}


def _p95(values: list[float]) -> float | None:
    values = sorted(values)
    return round(1000 * values[int(0.95 * (len(values) - 1))], 1) if values else None


def _link(source: Path, target: Path, skip_day: str | None) -> None:
    for path in source.rglob("*.parquet"):
        if skip_day is None or not path.stem.endswith(skip_day):
            link = target / path.relative_to(source)
            link.parent.mkdir(parents=True, exist_ok=True)
            if not link.exists():
                link.symlink_to(path.resolve())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=ROOT / "data" / "tiny" / "raw")
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--max-queries", type=int, default=20_000, help="per reader and phase")
    parser.add_argument("--max-seconds", type=int, default=900, help="per phase")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "serving_load.json"
    )
    args = parser.parse_args()
    raw_source = args.raw.resolve()
    if not (raw_source / "ground_truth.json").exists():
        print(f"serving_load: error: no simulated data at {args.raw}", file=sys.stderr)
        return 2
    last_day = sorted(p.stem[-10:] for p in (raw_source / "views").glob("views_*.parquet"))[-1]
    limits = (args.max_queries, args.max_seconds)
    report: dict = {"raw": str(args.raw), "readers": args.readers, "last_day": last_day}
    with tempfile.TemporaryDirectory(prefix="pgc-serving-load-") as folder:
        work = Path(folder)
        raw, warehouse = work / "raw", work / "warehouse" / "pgc.duckdb"
        serving_dir = work / "warehouse" / "serving"
        warehouse.parent.mkdir()
        _link(raw_source, raw, skip_day=last_day)
        check_arguments = ("check", "--warehouse", str(warehouse), "--raw", str(raw))
        publish_arguments = (
            "publish", "--warehouse", str(warehouse), "--serving-dir", str(serving_dir),
        )  # fmt: skip
        setup = [
            _dbt_build(raw, warehouse, work),
            _pgc(raw, warehouse, work, *check_arguments),
            _pgc(raw, warehouse, work, *publish_arguments),
        ]
        if any(code != 0 for _, code, _ in setup):
            print(f"serving_load: error: set-up failed: {setup}", file=sys.stderr)
            return 2
        report["publish_seconds"] = round(setup[2][0], 2)

        def rebuild_and_publish() -> dict:
            _link(raw_source, raw, skip_day=None)  # the last day arrives
            steps = {
                "dbt build": _dbt_build(raw, warehouse, work),
                "pgc check": _pgc(raw, warehouse, work, *check_arguments),
                "pgc publish": _pgc(raw, warehouse, work, *publish_arguments),
            }
            return {name: _step(*outcome) for name, outcome in steps.items()}

        report["serving"] = _phase(
            work / "warehouse" / "serving.duckdb", DASHBOARD_QUERIES, args.readers,
            rebuild_and_publish, limits,
        )  # fmt: skip
        snapshot = (work / "warehouse" / "serving.duckdb").resolve()
        report["snapshot_bytes"] = snapshot.stat().st_size
        report["build_warehouse_bytes"] = warehouse.stat().st_size

        without_snapshot = {k: v for k, v in DASHBOARD_QUERIES.items() if k != "snapshot"}
        report["build_file"] = _phase(
            warehouse, without_snapshot, args.readers,
            lambda: {"dbt build": _step(*_dbt_build(raw, warehouse, work))},
            limits,
        )  # fmt: skip
        shutil.rmtree(work / "target", ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    for phase in ("serving", "build_file"):
        r = report[phase]
        print(
            f"{phase:>10}: {r['queries']:,} queries ({r['queries_during_work']:,} during work), "
            f"{r['failed']} failed ({r['failed_during_work']} during), p50 {r['p50_ms']} ms, "
            f"p95 {r['p95_ms']} ms (during the work {r['p95_ms_during_work']} ms); "
            f"work {r['work_seconds']} s: {json.dumps(r['steps'])}"
        )
    print(f"snapshot {report['snapshot_bytes'] / 1e6:.1f} MB; written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
