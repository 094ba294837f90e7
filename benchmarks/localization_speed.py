"""Time localization: `python -m benchmarks.localization_speed`.

A cube of one million leaves (five dimensions with 10, 20, 25, 40 and 40 values, 4 million
combinations of which one million are sampled as leaves, noise, a planted 2-dimension
culprit), localized as an additive metric and as a ratio metric; then incident files of
100,000 leaves (the same dimensions, 100,000 of the combinations) read by `localize_incident`
as a user's file would be: actual / forecast, two periods of failed / total, and one period
of failed / total (no baseline). Prints the wall time of localization (for the files: reading
included, generating and writing excluded), the CPU time of this process (the wall time on an
idle machine: the work is single-threaded), and the root causes found.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from evaluation.incident_cubes import planted_cube
from python_checks.diagnosis.incident_files import localize_incident
from python_checks.diagnosis.leaf_columns import LeafColumns
from python_checks.diagnosis.localization import localize

SIZES = (10, 20, 25, 40, 40)
CULPRIT = {"d0": "d0_v3", "d1": "d1_v7"}
ADDITIVE = LeafColumns("actual", "expected")
RATIO = LeafColumns("actual_failed", "expected_failed", "actual_total", "expected_total")
DIMS = [f"d{i}" for i in range(len(SIZES))]


def _report(label: str, leaves: int, elapsed: tuple[float, float], found: object) -> None:
    wall, cpu = elapsed
    print(f"{label:36s} {leaves:>9,d} leaves: {wall:6.2f} s wall, {cpu:6.2f} s CPU; {found}")


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    now = _clock()
    return now[0] - start[0], now[1] - start[1]


def _files(folder: Path) -> list[tuple[str, Path, int]]:
    """Incident files of 100,000 leaves in three layouts."""
    additive = planted_cube(SIZES, CULPRIT, effect=-0.6, seed=2, n_leaves=100_000)
    ratio = planted_cube(SIZES, CULPRIT, effect=4.0, seed=2, n_leaves=100_000, ratio=True)
    files = []
    path = folder / "forecast.csv"
    additive.rename(columns={"actual": "real", "expected": "predict"}).to_csv(path, index=False)
    files.append(("file: actual / forecast", path, len(additive)))
    path = folder / "two_periods.csv"
    ratio.rename(
        columns={
            "actual_failed": "failed",
            "actual_total": "total",
            "expected_failed": "failed_baseline",
            "expected_total": "total_baseline",
        }
    ).to_csv(path, index=False)
    files.append(("file: two periods of failed / total", path, len(ratio)))
    path = folder / "one_period.csv"
    ratio[[*DIMS, "actual_failed", "actual_total"]].rename(
        columns={"actual_failed": "failed", "actual_total": "total"}
    ).to_csv(path, index=False)
    files.append(("file: one period of failed / total", path, len(ratio)))
    return files


def main() -> None:
    print(f"planted {CULPRIT}")
    additive = planted_cube(SIZES, CULPRIT, effect=-0.6, seed=1, n_leaves=1_000_000)
    ratio = planted_cube(SIZES, CULPRIT, effect=4.0, seed=1, n_leaves=1_000_000, ratio=True)
    for label, cube, columns in (("additive", additive, ADDITIVE), ("ratio", ratio, RATIO)):
        start = _clock()
        result = localize(cube, DIMS, columns)
        _report(label, len(cube), _since(start), result.root_causes)
    with tempfile.TemporaryDirectory() as folder:
        for label, path, leaves in _files(Path(folder)):
            start = _clock()
            result = localize_incident(path)
            _report(label, leaves, _since(start), result.root_causes)


if __name__ == "__main__":
    main()
