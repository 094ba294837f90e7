"""Row-by-row comparison of a table as two builds hold it, both readable from one DuckDB
connection: the same columns with the same types, and the same rows, paired by sorting on
every column (non-floating columns first). Everything but floating-point columns must be
equal (keys, integers, text, dates, timestamps, lists); floating values to a relative
RELATIVE, since two engines may add the same numbers in another order."""

from __future__ import annotations

import duckdb

RELATIVE = 1e-9
FLOATING = ("DOUBLE", "FLOAT", "REAL")
SHOWN = 3  # differing rows quoted per table


def column_types(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """Column name -> DuckDB type name, in the relation's order. JSON counts as text: DuckDB's
    to_json returns its JSON type, Spark's a string; the text itself is compared."""
    return {
        name: "VARCHAR" if kind == "JSON" else kind
        for name, kind, *_ in con.execute(f"describe {relation}").fetchall()
    }


def _differs(column: str, kind: str) -> str:
    left, right = f"expected.{column}", f"actual.{column}"
    if kind in FLOATING:
        close = f"abs({left} - {right}) <= {RELATIVE} * greatest(abs({left}), abs({right}))"
        # Equal covers two infinities of one sign, which `close` does not (inf - inf is nan).
        return f"not coalesce({left} = {right} or {close}, {left} is null and {right} is null)"
    return f"{left} is distinct from {right}"


def table_differences(
    con: duckdb.DuckDBPyConnection, expected: str, actual: str, ignore: tuple[str, ...] = ()
) -> list[str]:
    """What differs between two relations, one line each (empty when they agree)."""
    expected_types = {k: v for k, v in column_types(con, expected).items() if k not in ignore}
    actual_types = {k: v for k, v in column_types(con, actual).items() if k not in ignore}
    if expected_types != actual_types:
        changed = sorted(set(expected_types.items()) ^ set(actual_types.items()))
        return [f"{actual}: columns differ from {expected}: {changed}"]
    problems = []
    counts = [con.execute(f"select count(*) from {r}").fetchone()[0] for r in (expected, actual)]
    if counts[0] != counts[1]:
        problems.append(f"{actual}: {counts[1]} rows, {expected} has {counts[0]}")
    exact = [c for c, kind in expected_types.items() if kind not in FLOATING]
    floating = [c for c, kind in expected_types.items() if kind in FLOATING]
    order = ", ".join(f"{c} nulls first" for c in exact + floating) or "1"
    columns = ", ".join(expected_types)
    both = ", ".join(
        f"expected.{c} as expected_{c}, actual.{c} as actual_{c}" for c in expected_types
    )
    paired = f"""
        with
        expected as (
            select {columns}, row_number() over (order by {order}) as row_position
            from {expected}
        ),
        actual as (
            select {columns}, row_number() over (order by {order}) as row_position
            from {actual}
        )
        select coalesce(expected.row_position, actual.row_position) as row_position,
            {both}
        from expected full join actual on expected.row_position = actual.row_position
        where {" or ".join(_differs(c, k) for c, k in expected_types.items())}
        order by row_position
    """
    rows = con.execute(paired).fetchall()
    names = [d[0] for d in con.description]
    for row in rows[:SHOWN]:
        values = dict(zip(names, row, strict=True))
        changed = [
            f"{c}: {values['expected_' + c]!r} vs {values['actual_' + c]!r}"
            for c in expected_types
            if values["expected_" + c] != values["actual_" + c]
        ]
        problems.append(f"{actual} row {values['row_position']}: " + "; ".join(changed))
    if len(rows) > SHOWN:
        problems.append(f"{actual}: {len(rows) - SHOWN} more differing rows")
    return problems
