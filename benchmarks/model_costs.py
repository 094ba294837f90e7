"""What each model costs in one `dbt build`: rows written, seconds, share of the build.

    python -m benchmarks.model_costs --run-results target/run_results.json \\
        --warehouse warehouse/pgc.duckdb [--top 10] [--models fct_consumption_daily ...]

Reads dbt's run_results.json of a build (every node's execution time) and counts each
model's rows in the warehouse that build wrote. Shares are of the sum of every node's
execution time (models, seeds and tests), dbt's own start-up excluded; with one thread
(the default here) that sum is the build's wall time less the start-up.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class NodeCost:
    unique_id: str
    resource_type: str
    relation: str | None
    seconds: float


def read_node_costs(run_results: Path) -> list[NodeCost]:
    results = json.loads(run_results.read_text())["results"]
    return [
        NodeCost(
            unique_id=result["unique_id"],
            resource_type=result["unique_id"].split(".", 1)[0],
            relation=result.get("relation_name"),
            seconds=float(result["execution_time"]),
        )
        for result in results
    ]


def row_count(con: duckdb.DuckDBPyConnection, relation: str) -> int | None:
    try:
        return con.execute(f"select count(*) from {relation}").fetchone()[0]
    except duckdb.Error:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-results", type=Path, required=True)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--top", type=int, default=10, help="the most expensive models")
    parser.add_argument("--models", nargs="*", default=[], help="models to show in any case")
    args = parser.parse_args(argv)
    costs = read_node_costs(args.run_results)
    total = sum(cost.seconds for cost in costs)
    by_type: dict[str, float] = {}
    for cost in costs:
        by_type[cost.resource_type] = by_type.get(cost.resource_type, 0.0) + cost.seconds
    models = sorted(
        (cost for cost in costs if cost.resource_type == "model"), key=lambda c: -c.seconds
    )
    shown = models[: args.top] + [
        cost for cost in models[args.top :] if cost.unique_id.rsplit(".", 1)[-1] in args.models
    ]
    print(f"nodes' execution time: {total:,.1f} s")
    for resource_type, seconds in sorted(by_type.items(), key=lambda item: -item[1]):
        print(f"  {resource_type:<10} {seconds:>9,.1f} s  {seconds / total:6.1%}")
    print()
    print(f"{'model':<45} {'rows':>14} {'seconds':>9} {'share':>7}")
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        for cost in shown:
            rows = row_count(con, cost.relation) if cost.relation else None
            rows_text = f"{rows:,}" if rows is not None else "-"
            name = cost.unique_id.rsplit(".", 1)[-1]
            print(f"{name:<45} {rows_text:>14} {cost.seconds:>9,.1f} {cost.seconds / total:>7.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
