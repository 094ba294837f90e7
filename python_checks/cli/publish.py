"""`pgc publish`: copy what readers need from the build warehouse into a new read-only serving
snapshot and point the serving path at it; `--rollback` points it at the previous one."""

from __future__ import annotations

import argparse
from pathlib import Path

from python_checks.cli.arguments import DEFAULT_WAREHOUSE, positive


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "publish", help="publish the serving snapshot BI tools read (after passing checks)"
    )
    parser.add_argument("--warehouse", type=Path, default=Path(DEFAULT_WAREHOUSE))
    parser.add_argument(
        "--serving-dir",
        type=Path,
        default=None,
        help="folder of snapshots (default: warehouse/serving); readers open <serving-dir>.duckdb",
    )
    parser.add_argument("--keep", type=positive, default=3, help="snapshots kept (default 3)")
    parser.add_argument("--rollback", action="store_true", help="serve the previous snapshot again")


def run(args: argparse.Namespace) -> int:
    from python_checks.warehouse.publish import (
        DEFAULT_SERVING_DIR,
        STORAGE_VERSION,
        publish,
        rollback,
    )

    serving_dir = args.serving_dir or DEFAULT_SERVING_DIR
    if args.rollback:
        done = rollback(serving_dir)
        print(f"rolled back: {done.serving_path} -> {done.snapshot} (was {done.previous.name})")
        return 0
    done = publish(args.warehouse, serving_dir, args.keep)
    rows = sum(table.rows for table in done.tables)
    print(
        f"published {done.snapshot} ({len(done.tables)} tables, {rows:,} rows, "
        f"{done.size_bytes / 1e6:.1f} MB, storage {STORAGE_VERSION}) in {done.seconds:.1f} s"
    )
    print(f"{done.serving_path} -> {done.snapshot.name}")
    for path in done.removed:
        print(f"removed {path}")
    for path in done.held:
        print(f"kept {path}: a reader still holds it (removed by a later publish)")
    return 0
