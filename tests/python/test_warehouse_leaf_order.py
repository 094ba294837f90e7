"""Leaf rows ordered out of DuckDB (`warehouse.leaf_order`) come in the order DuckDB's own
`order by` gives them, which is what makes a localization reproducible."""

import itertools

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from python_checks.warehouse import leaf_order
from python_checks.warehouse.leaf_order import in_dimension_order

# Text that orders differently by bytes, by case and by locale, and a null.
VALUES = ["a", "B", "b", "é", "e", "Z", "(null)", "", "ü", "😀", "10", "9", None]


def _rows(seed: int, count: int) -> pa.Table:
    """Up to `count` leaves: distinct combinations of four text dimensions, as a leaf table
    has (rows with the same dimensions would come in either order)."""
    rng = np.random.default_rng(seed)
    codes = np.unique(rng.integers(0, len(VALUES), (count, 4)), axis=0)
    codes = codes[rng.permutation(len(codes))]
    columns = {
        f"d{i}": pa.array([VALUES[k] for k in codes[:, i]], type=pa.string()) for i in range(4)
    }
    columns["value"] = pa.array(rng.normal(size=len(codes)))
    return pa.table(columns)


def _duckdb_order(table: pa.Table, dimensions: list[str]) -> list[tuple]:
    con = duckdb.connect()
    con.register("leaves", table)
    # DuckDB's defaults: binary collation, nulls last.
    rows = con.sql(f"select * from leaves order by {', '.join(dimensions)}").fetchall()
    con.close()
    return rows


@pytest.mark.parametrize("chunks", [1, 3])
@pytest.mark.parametrize("key_bound", [leaf_order.KEY_BOUND, 50])
def test_rows_come_in_duckdbs_order(monkeypatch, key_bound, chunks):
    # 50 makes the key of the first dimensions compacted before each further one. In several
    # chunks (as DuckDB hands a large result over) each chunk has a dictionary of its own.
    monkeypatch.setattr(leaf_order, "KEY_BOUND", key_bound)
    rows = _rows(seed=3, count=3_000)
    bounds = np.linspace(0, rows.num_rows, chunks + 1).astype(int)
    table = pa.concat_tables([rows.slice(a, b - a) for a, b in itertools.pairwise(bounds)])
    assert table["d0"].num_chunks == chunks
    dimensions = ["d0", "d1", "d2", "d3"]
    ordered = in_dimension_order(table, dimensions)
    assert [tuple(row.values()) for row in ordered.to_pylist()] == _duckdb_order(table, dimensions)


def test_dimensions_come_out_dictionary_encoded_and_the_rest_unchanged():
    table = _rows(seed=4, count=500)
    ordered = in_dimension_order(table, ["d2", "d0"])
    assert pa.types.is_dictionary(ordered.schema.field("d2").type)
    assert ordered.schema.field("d1").type == table.schema.field("d1").type
    frame = ordered.to_pandas()
    assert str(frame["d2"].dtype) == "category"
    assert sorted(frame["value"]) == sorted(table["value"].to_pylist())


def test_no_rows():
    table = _rows(seed=5, count=0)
    assert in_dimension_order(table, ["d0", "d1"]).num_rows == 0
