"""Time `localize` on a one-million-leaf cube: `python -m benchmarks.localization_speed`.

Five dimensions with 10, 20, 25, 40 and 40 values (4 million combinations, one million of
them sampled as leaves), noise, a planted 2-dimension culprit. Prints the wall time of
localization alone (not the cube generation): an additive metric, a ratio metric, and the
additive metric again with pruning switched off (min_share=0: every slice of up to three
dimensions is scored), the worst case.
"""

from __future__ import annotations

import time

from evaluation.incident_cubes import planted_cube
from python_checks.diagnosis.leaf_columns import LeafColumns
from python_checks.diagnosis.localization import LocalizationOptions, localize

SIZES = (10, 20, 25, 40, 40)
CULPRIT = {"d0": "d0_v3", "d1": "d1_v7"}
ADDITIVE = LeafColumns("actual", "expected")
RATIO = LeafColumns("actual_failed", "expected_failed", "actual_total", "expected_total")


def main() -> None:
    dims = [f"d{i}" for i in range(len(SIZES))]
    additive = planted_cube(SIZES, CULPRIT, effect=-0.6, seed=1, n_leaves=1_000_000)
    ratio = planted_cube(SIZES, CULPRIT, effect=4.0, seed=1, n_leaves=1_000_000, ratio=True)
    runs = (
        ("additive", additive, ADDITIVE, LocalizationOptions()),
        ("ratio", ratio, RATIO, LocalizationOptions()),
        ("additive, no pruning", additive, ADDITIVE, LocalizationOptions(min_share=0.0)),
    )
    for label, cube, columns, options in runs:
        start = time.perf_counter()
        result = localize(cube, dims, columns, options)
        elapsed = time.perf_counter() - start
        found = result.root_causes[0] if result.root_causes else None
        print(
            f"{label:21s} {len(cube):>9,d} leaves x {len(dims)} dims: {elapsed:6.2f} s; "
            f"top culprit {found} (planted {CULPRIT})"
        )


if __name__ == "__main__":
    main()
