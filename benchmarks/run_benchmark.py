"""Build benchmark: dbt build time, memory and a one-day incremental run per scale,
against the engine's floor (the same work as one hand-written DuckDB script).

    python -m benchmarks.run_benchmark --scales small medium large

Per scale it (1) simulates the data if missing, (2) runs the models over every
day but the last, (3) times an incremental `dbt run` once the last day arrives, (4) times
`dbt run` and then `dbt test` over all days into a new, empty warehouse file (together:
`dbt build` on a fresh machine; peak memory from /usr/bin/time), (5) times `pgc check`
(without, then with the raw recount) and `pgc explain watch_hours` on the planted sports
spike's day on that warehouse, and (6) times benchmarks/floor.sql (every model dbt runs,
as one hand-written DuckDB script; checked against dbt by benchmarks/verify_floor.py) in
one DuckDB connection with the DuckDB settings dbt uses (`--skip-floor` leaves (6) out).
Results go to benchmarks/results/<scale>.json and a table on stdout. Each step is also timed in CPU
seconds (user + system, every thread) and the load average is recorded around it: on a
machine others share, wall times grow with their load while CPU seconds barely move, so
the CPU ratios to the floor stay comparable.
"""

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"
# The floor runs under the DuckDB settings profiles.yml gives dbt (DuckDB's own
# thread count, one per core, in both), so the ratio is fair.


def dbt_memory_limit() -> str:
    """The memory_limit dbt's profile gives DuckDB."""
    return os.environ.get("PGC_DUCKDB_MEMORY_LIMIT", "6GB")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_average() -> float:
    """The machine's one-minute load average (runnable processes; 2 cores here)."""
    return round(os.getloadavg()[0], 1)


def timed(
    command: list[str], env: dict[str, str], ok_codes: tuple[int, ...] = (0,)
) -> tuple[float, float, float]:
    """Wall seconds, peak resident memory (GB) and CPU seconds (user + system) of a command
    that must exit with one of `ok_codes`."""
    started = time.monotonic()
    result = subprocess.run(
        ["/usr/bin/time", "-v", *command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    if result.returncode not in ok_codes:
        raise SystemExit(
            f"{' '.join(command)} failed:\n{result.stdout[-3000:]}{result.stderr[-2000:]}"
        )
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    cpu = sum(
        float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", result.stderr).group(1))
        for kind in ("User", "System")
    )
    return seconds, peak_kb / 1024**2, cpu


def last_day(raw_dir: Path) -> str:
    return sorted(path.stem[-10:] for path in (raw_dir / "views").glob("*.parquet"))[-1]


def link_raw_files(raw_dir: Path, landing: Path, last_day_too: bool) -> None:
    """Lay out `landing` as links to the raw files: every day's but the last, or (with
    `last_day_too`) the last day's as well, as when that day's files arrive."""
    day = last_day(raw_dir)
    for path in raw_dir.rglob("*.parquet"):
        if path.stem.endswith(day) == last_day_too:
            link = landing / path.relative_to(raw_dir)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path.resolve())


def all_but_last_day(raw_dir: Path, landing: Path) -> None:
    if landing.exists():
        shutil.rmtree(landing)
    link_raw_files(raw_dir, landing, last_day_too=False)


def raw_rows(raw_dir: Path) -> dict[str, int]:
    truth = json.loads((raw_dir / "ground_truth.json").read_text())
    return {table: entry["raw_rows"] for table, entry in truth["tables"].items()}


def explained_day(raw_dir: Path) -> str:
    """The day of the simulator's planted traffic spike in one content category, which moves
    watch hours (the day `pgc explain watch_hours` is timed on), else the last day."""
    truth = json.loads((raw_dir / "ground_truth.json").read_text())
    for incident in truth["incidents"]:
        if incident["kind"] == "traffic_spike" and "content_category" in incident["root_cause"]:
            return incident["dates"][0]
    return truth["end_date"]


# Free disk a scale needs, as a multiple of its raw Parquet files: the warehouse (about 4x
# the raw files at large) and DuckDB's spill while the largest facts are aggregated. The
# large set-up failed with 44 GB free (8.9x its 4.9 GB of raw files) and ran with 63 GB.
DISK_PER_RAW_BYTE = 10


def disk_shortfall(raw_bytes: int, free_bytes: int, work: Path) -> str | None:
    """Why a scale with `raw_bytes` of raw files cannot run in `work`, which has
    `free_bytes` free, or None when it can."""
    needed = DISK_PER_RAW_BYTE * raw_bytes
    if free_bytes >= needed:
        return None
    return (
        f"{work} has {free_bytes / 1e9:.0f} GB free; this scale needs about "
        f"{needed / 1e9:.0f} GB ({DISK_PER_RAW_BYTE}x its raw files): free space there or "
        "pass --work on a larger disk"
    )


def floor_sql(raw_dir: Path) -> str:
    """benchmarks/floor.sql with the raw data folder and the seeds folder filled in."""
    sql = (ROOT / "benchmarks" / "floor.sql").read_text()
    return sql.replace("{raw}", str(raw_dir)).replace("{seeds}", str(ROOT / "seeds"))


def floor_timed(raw_dir: Path, database: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, all of DuckDB's threads) of the floor
    script (every model, as one hand-written DuckDB script) run on a fresh database
    file, with dbt's DuckDB settings."""
    sql = floor_sql(raw_dir)
    database.unlink(missing_ok=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    with duckdb.connect(str(database)) as con:
        con.execute(f"set memory_limit = '{dbt_memory_limit()}'")
        con.execute("set preserve_insertion_order = false")
        con.execute(sql)
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime
    return seconds, cpu


def floor_seconds(raw_dir: Path, database: Path) -> float:
    """Wall seconds of the floor script (see floor_timed)."""
    return floor_timed(raw_dir, database)[0]


def bench(
    scale: str,
    data_root: Path,
    work: Path,
    setup_only: bool = False,
    reuse_setup: bool = False,
    floor: bool = True,
) -> dict | None:
    """Benchmark one scale; with `setup_only` stop after the untimed set-up run, with
    `reuse_setup` start from the warehouse an earlier `setup_only` left (the set-up is not
    measured, so it may run while the machine is busy); without `floor` the floor script is
    not run (its figures are then null)."""
    raw_dir = data_root / scale / "raw"
    if not (raw_dir / "ground_truth.json").exists():
        log(f"[{scale}] simulating")
        seconds, peak, _ = timed(
            [str(BIN / "python"), "-m", "simulator", "--scale", scale, "--out", str(raw_dir)],
            dict(os.environ),
        )
        log(f"[{scale}] simulated in {seconds:.0f}s, peak {peak:.1f} GB")
    rows = raw_rows(raw_dir)
    work.mkdir(parents=True, exist_ok=True)
    warehouse = work / f"{scale}.duckdb"
    raw_bytes = sum(path.stat().st_size for path in raw_dir.rglob("*.parquet"))
    # A set-up warehouse left in `work` is replaced by this run, so its space counts as free.
    reusable = warehouse.stat().st_size if warehouse.exists() else 0
    shortfall = disk_shortfall(raw_bytes, shutil.disk_usage(work).free + reusable, work)
    if shortfall:
        raise SystemExit(f"[{scale}] {shortfall}")
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(ROOT),
        "PGC_DUCKDB_PATH": str(warehouse),
        "DO_NOT_TRACK": "1",
    }
    dbt = [str(BIN / "dbt"), "--quiet", "--no-write-json"]
    target = ["--target-path", str(work / "target"), "--log-path", str(work)]

    # Every run reads the landing folder, as a scheduled job reads one raw folder whose files
    # arrive day by day: dbt then parses only what changed since the run before (a new
    # PGC_RAW_DIR value would make it parse the whole project again).
    landing = work / f"{scale}_landing"
    raw_env = {**env, "PGC_RAW_DIR": str(landing)}
    all_but_last_day(raw_dir, landing)
    if reuse_setup:
        if not warehouse.exists():
            raise SystemExit(f"--reuse-setup: no set-up warehouse at {warehouse}")
        log(f"[{scale}] reusing the set-up warehouse {warehouse}")
    else:
        warehouse.unlink(missing_ok=True)
        log(f"[{scale}] running the models over all days but the last (set-up)")
        timed([*dbt, "seed", *target], raw_env)
        timed([*dbt, "run", *target], raw_env)
    if setup_only:
        return None
    link_raw_files(raw_dir, landing, last_day_too=True)
    log(f"[{scale}] incremental run for the last day")
    loads = [load_average()]
    incremental_s, incremental_gb, incremental_cpu = timed([*dbt, "run", *target], raw_env)
    log(f"[{scale}]   {incremental_s:.0f}s ({incremental_cpu:.0f} CPU s), {incremental_gb:.1f} GB")
    # The full build goes into a new file, as on a fresh machine: a --full-refresh over the
    # set-up warehouse would also time dropping its tables, and DuckDB does not shrink a file
    # (a large one doubles, beyond this machine's disk). It is timed as its two halves: the
    # models (the same work as the floor script) and the ~600 tests dbt build adds.
    for leftover in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
        leftover.unlink(missing_ok=True)
    timed([*dbt, "seed", *target], raw_env)
    log(f"[{scale}] full run into an empty warehouse")
    loads.append(load_average())
    full_s, full_gb, full_cpu = timed([*dbt, "run", *target], raw_env)
    log(f"[{scale}]   {full_s:.0f}s ({full_cpu:.0f} CPU s), peak {full_gb:.1f} GB")
    log(f"[{scale}] tests")
    loads.append(load_average())
    test_s, test_gb, test_cpu = timed([*dbt, "test", *target], raw_env)
    log(f"[{scale}]   {test_s:.0f}s ({test_cpu:.0f} CPU s), peak {test_gb:.1f} GB")
    # What the data team runs on the built warehouse: every check (as after each build, on
    # the counts the build recorded; then as an audit, recounting the raw files), and why
    # watch hours moved on a planted incident's day. `pgc check` exits 1 when a blocking
    # check fails, which planted defects may cause: that is a result, not an error.
    pgc = str(BIN / "pgc")
    log(f"[{scale}] pgc check")
    check_s, check_gb, _ = timed(
        [pgc, "check", "--warehouse", str(warehouse)], env, ok_codes=(0, 1)
    )
    log(f"[{scale}]   {check_s:.1f}s, peak {check_gb:.1f} GB")
    log(f"[{scale}] pgc check --raw")
    check_raw_s, check_raw_gb, _ = timed(
        [pgc, "check", "--warehouse", str(warehouse), "--raw", str(raw_dir)], env, ok_codes=(0, 1)
    )
    log(f"[{scale}]   {check_raw_s:.1f}s, peak {check_raw_gb:.1f} GB")
    day = explained_day(raw_dir)
    log(f"[{scale}] pgc explain watch_hours --date {day}")
    explain_s, explain_gb, _ = timed(
        [pgc, "explain", "watch_hours", "--date", day, "--warehouse", str(warehouse)], env
    )
    log(f"[{scale}]   {explain_s:.1f}s, peak {explain_gb:.1f} GB")
    floor_s = floor_cpu = None
    if floor:
        # The floor writes its own database of about the warehouse's size: free the
        # warehouse first.
        warehouse.unlink()
        log(f"[{scale}] floor script")
        loads.append(load_average())
        floor_s, floor_cpu = floor_timed(raw_dir, work / f"{scale}_floor.duckdb")
        loads.append(load_average())
        log(f"[{scale}]   {floor_s:.0f}s ({floor_cpu:.0f} CPU s)")
    result = {
        "scale": scale,
        "raw_rows": sum(rows.values()),
        "raw_views": rows["views"],
        "dbt_run_seconds": round(full_s, 1),
        "dbt_run_peak_gb": round(full_gb, 2),
        "dbt_test_seconds": round(test_s, 1),
        "dbt_build_seconds": round(full_s + test_s, 1),
        "dbt_build_peak_gb": round(max(full_gb, test_gb), 2),
        "incremental_run_seconds": round(incremental_s, 1),
        "incremental_over_build": round(incremental_s / (full_s + test_s), 3),
        "incremental_cpu_seconds": round(incremental_cpu, 1),
        "incremental_over_build_cpu": round(incremental_cpu / (full_cpu + test_cpu), 3),
        "incremental_peak_gb": round(incremental_gb, 2),
        "pgc_check_seconds": round(check_s, 1),
        "pgc_check_peak_gb": round(check_gb, 2),
        "pgc_check_raw_seconds": round(check_raw_s, 1),
        "pgc_check_raw_peak_gb": round(check_raw_gb, 2),
        "pgc_explain_seconds": round(explain_s, 1),
        "pgc_explain_peak_gb": round(explain_gb, 2),
        "floor_seconds": _rounded(floor_s, 1),
        "run_over_floor": _ratio(full_s, floor_s),
        "build_over_floor": _ratio(full_s + test_s, floor_s),
        "dbt_run_cpu_seconds": round(full_cpu, 1),
        "dbt_test_cpu_seconds": round(test_cpu, 1),
        "floor_cpu_seconds": _rounded(floor_cpu, 1),
        "run_over_floor_cpu": _ratio(full_cpu, floor_cpu),
        "build_over_floor_cpu": _ratio(full_cpu + test_cpu, floor_cpu),
        "load_averages": loads,
        "incremental_over_run": round(incremental_s / full_s, 3),
        "cpu_count": os.cpu_count(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{scale}.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _ratio(value: float, floor: float | None) -> float | None:
    return None if floor is None else round(value / floor, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", nargs="+", default=["small", "medium", "large"])
    parser.add_argument("--data-root", type=Path, default=ROOT / "data")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "results" / "work")
    parser.add_argument(
        "--setup-only", action="store_true", help="only build every day but the last (untimed)"
    )
    parser.add_argument(
        "--reuse-setup", action="store_true", help="start from the warehouse --setup-only left"
    )
    parser.add_argument(
        "--skip-floor",
        action="store_true",
        help="do not run the floor script (the build and one-day figures only)",
    )
    args = parser.parse_args()
    floor = not args.skip_floor
    results = [
        bench(scale, args.data_root, args.work, args.setup_only, args.reuse_setup, floor)
        for scale in args.scales
    ]
    if args.setup_only:
        return
    columns = list(results[0])
    print(" | ".join(columns))
    for result in results:
        print(" | ".join(str(result[column]) for column in columns))


if __name__ == "__main__":
    main()
