"""Prints what `make run` built: rows per layer, quarantine by reason, test results."""

import argparse
import json
from pathlib import Path

import duckdb

LAYERS = ("reference", "staging", "audit", "intermediate", "marts", "metrics")


def _table(rows: list[tuple], headers: tuple[str, ...]) -> str:
    cells = [headers, *[tuple(f"{v:,}" if isinstance(v, int) else str(v) for v in r) for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for index, row in enumerate(cells):
        lines.append(
            "  ".join(
                cell.rjust(width) if index and cell[:1].isdigit() else cell.ljust(width)
                for cell, width in zip(row, widths, strict=True)
            )
        )
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--raw", type=Path, required=True)
    parser.add_argument("--run-results", type=Path, default=Path("target/run_results.json"))
    args = parser.parse_args()
    if not args.warehouse.exists():
        raise SystemExit(f"no warehouse at {args.warehouse}: run `make build` first")

    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        per_layer = []
        for layer in LAYERS:
            names = [name for schema, name in relations if schema == layer]
            rows = sum(
                con.execute(f'select count(*) from "{layer}"."{name}"').fetchone()[0]
                for name in names
            )
            if names:
                per_layer.append((layer, len(names), rows))
        print("\nRows per layer")
        print(_table(per_layer, ("layer", "tables", "rows")))

        quarantine = con.execute(
            "select source_table, quarantine_reason, count(*) "
            "from audit.audit_pgc__quarantined_rows group by all order by 1, 2"
        ).fetchall()
        print("\nQuarantined rows by reason")
        print(_table(quarantine, ("raw table", "reason", "rows")))

        reconciliation = con.execute(
            "select source_table, staged_model, raw_row_count, staged_row_count, "
            "quarantined_row_count, duplicate_row_count, "
            "raw_row_count = staged_row_count + quarantined_row_count + duplicate_row_count "
            "from audit.audit_pgc__row_reconciliation order by 1"
        ).fetchall()
        print("\nRaw rows = staged + quarantined + exact duplicates removed")
        print(
            _table(
                [(*row[:-1], "yes" if row[-1] else "NO") for row in reconciliation],
                ("raw table", "staged in", "raw", "staged", "quarantined", "duplicates", "holds"),
            )
        )

    truth = json.loads((args.raw / "ground_truth.json").read_text())
    print(
        f"\nDataset: {truth['scale']} scale, seed {truth['seed']}, "
        f"{truth['start_date']} to {truth['end_date']}"
    )

    if args.run_results.exists():
        results = json.loads(args.run_results.read_text())["results"]
        statuses: dict[tuple[str, str], int] = {}
        for result in results:
            kind = result["unique_id"].split(".")[0]
            key = (kind, result["status"])
            statuses[key] = statuses.get(key, 0) + 1
        print("\nLast dbt build")
        print(
            _table(sorted((k, s, n) for (k, s), n in statuses.items()), ("node", "status", "count"))
        )


if __name__ == "__main__":
    main()
