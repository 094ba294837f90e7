"""Time one metric by one dimension, per day, asked of MetricFlow and read from metric_daily.

    python -m benchmarks.metric_query_speed --warehouse W --project P \\
        [--metric watch_hours --dimension content__category --runs 3]

W is a warehouse `dbt build` wrote, which MetricFlow may open read-write (pass a copy,
never a file others read); P is a dbt project folder whose target/semantic_manifest.json
was parsed with PGC_DUCKDB_PATH naming a file of the same name as W (MetricFlow's SQL
names the catalog after it). Over every day metric_daily holds for the metric, it times:
`mf query` (a new process each time, as an analyst runs it; MetricFlow also reports the
time its query took, the rest is start-up), a one-shot Python process
that reads the same answer from metrics.metric_daily through duckdb, and that query alone
in a warm connection. It checks that the two answers agree, then prints the wall times
(fastest of `runs`, and the slowest).
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

BIN = Path(sys.executable).parent
METRIC_DAILY_SQL = (
    "select cast(metric_date as varchar), dimension_value, value from metrics.metric_daily"
    " where metric_name = ? and dimension_name = ? and metric_date between ? and ?"
    " order by metric_date, dimension_value"
)
ONE_SHOT = """
import sys, time, duckdb
started = time.perf_counter()
with duckdb.connect(sys.argv[1], read_only=True) as con:
    rows = con.execute(sys.argv[2], sys.argv[3:]).fetchall()
print(len(rows), time.perf_counter() - started)
"""


@dataclass(frozen=True)
class Timings:
    """Wall seconds of each run of one way of asking."""

    label: str
    seconds: tuple[float, ...]
    rows: int


def day_range(warehouse: Path, metric: str, dimension: str) -> tuple[str, str]:
    """The first and last day metric_daily holds for the metric and dimension."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        first, last = con.execute(
            "select cast(min(metric_date) as varchar), cast(max(metric_date) as varchar)"
            " from metrics.metric_daily where metric_name = ? and dimension_name = ?",
            [metric, dimension],
        ).fetchone()
    if first is None:
        raise SystemExit(f"metric_daily has no rows for {metric} by {dimension}")
    return first, last


def run(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    """Wall seconds and stdout of a command, which must succeed."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}{result.stderr}")
    return seconds, result.stdout


def metricflow_answer(csv_path: Path, dimension: str, metric: str) -> dict[tuple[str, str], float]:
    """{(day, dimension value): value} from `mf query --csv`; a null value as '(null)'."""
    with csv_path.open() as handle:
        return {
            (row["metric_time__day"][:10], row[dimension] or "(null)"): float(row[metric])
            for row in csv.DictReader(handle)
            if row[metric] != ""
        }


def differences(
    expected: dict[tuple[str, str], float], actual: dict[tuple[str, str], float]
) -> list[str]:
    """Keys on one side only, and values that differ beyond float rounding."""
    found = [f"{key} only from MetricFlow" for key in expected.keys() - actual.keys()]
    found += [f"{key} only in metric_daily" for key in actual.keys() - expected.keys()]
    found += [
        f"{key}: MetricFlow {expected[key]}, metric_daily {actual[key]}"
        for key in expected.keys() & actual.keys()
        if not math.isclose(expected[key], actual[key], rel_tol=1e-9, abs_tol=1e-9)
    ]
    return sorted(found)


def measure(options: argparse.Namespace) -> list[Timings]:
    """Time the three ways of asking and check that the answers agree."""
    warehouse = options.warehouse.resolve()
    first, last = day_range(warehouse, options.metric, options.dimension)
    parameters = [options.metric, options.dimension, first, last]
    print(f"{options.metric} by {options.dimension}, {first} to {last}", file=sys.stderr)
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(options.project.resolve()),
        "PGC_DUCKDB_PATH": str(warehouse),
        "DO_NOT_TRACK": "1",
    }
    mf_seconds = []
    mf_query_seconds = []
    with tempfile.TemporaryDirectory() as scratch:
        csv_path = Path(scratch) / "answer.csv"
        for _ in range(options.runs):
            seconds, output = run(
                [
                    str(BIN / "mf"), "query", "--metrics", options.metric,
                    "--group-by", f"metric_time__day,{options.dimension}",
                    "--start-time", first, "--end-time", last, "--csv", str(csv_path),
                ],
                env,
                options.project,
            )  # fmt: skip
            mf_seconds.append(seconds)
            reported = re.search(r"query completed after ([\d.]+) seconds", output)
            mf_query_seconds.append(float(reported.group(1)) if reported else math.nan)
        expected = metricflow_answer(csv_path, options.dimension, options.metric)
    one_shot_seconds = []
    for _ in range(options.runs):
        seconds, _ = run(
            [str(BIN / "python"), "-c", ONE_SHOT, str(warehouse), METRIC_DAILY_SQL, *parameters],
            env,
            options.project,
        )
        one_shot_seconds.append(seconds)
    query_seconds = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for _ in range(options.runs):
            started = time.perf_counter()
            rows = con.execute(METRIC_DAILY_SQL, parameters).fetchall()
            query_seconds.append(time.perf_counter() - started)
    actual = {(day, value): number for day, value, number in rows if number is not None}
    problems = differences(expected, actual)
    if problems:
        raise SystemExit("the answers differ:\n" + "\n".join(problems[:20]))
    return [
        Timings("mf query (new process)", tuple(mf_seconds), len(expected)),
        Timings("  of which its query", tuple(mf_query_seconds), len(expected)),
        Timings("metric_daily, one-shot python", tuple(one_shot_seconds), len(actual)),
        Timings("metric_daily, query alone", tuple(query_seconds), len(actual)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="a copy MetricFlow may open")
    parser.add_argument("--project", type=Path, required=True, help="dbt project with target/")
    parser.add_argument("--metric", default="watch_hours")
    parser.add_argument("--dimension", default="content__category")
    parser.add_argument("--runs", type=int, default=3)
    timings = measure(parser.parse_args())
    print(f"{'way':32} {'rows':>6} {'fastest s':>10} {'slowest s':>10}")
    for timing in timings:
        print(
            f"{timing.label:32} {timing.rows:>6} {min(timing.seconds):>10.3f}"
            f" {max(timing.seconds):>10.3f}"
        )


if __name__ == "__main__":
    main()
