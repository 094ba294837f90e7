"""Random bad rows (hypothesis): the staging of raw views never crashes, accounts for every
row (distinct raw rows = staged + quarantined) and quarantines every bad row with the reason
the raw data contract gives, checked against a plain-Python reading of the contract.

dbt compiles base_pgc__views once (a full build's SQL); each example writes a Parquet file of
generated rows and runs that SQL in DuckDB against the reference warehouse's valid viewers,
posts and surfaces, without a dbt run per example.

Timestamps are drawn from 1970 to 2100, not from the whole int64 range: an epoch value past
the year 294247 makes DuckDB's epoch_ms fail the query (docs/serving.md, "what is not covered").
"""

import json
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.python.dbt_runs import REFERENCE, dbt

MAX_WATCH_MS = 21_600_000  # var('max_plausible_watch_ms')
DEVICES = ("ios", "android", "web")
SCHEMA = pa.schema(
    [
        ("view_id", pa.int64()), ("impression_id", pa.int64()), ("viewer_id", pa.string()),
        ("content_id", pa.string()), ("surface_code", pa.string()), ("watch_ms", pa.int64()),
        ("is_completed", pa.bool_()), ("device_os", pa.string()), ("app_version", pa.string()),
        ("viewed_ts_ms", pa.int64()), ("ingest_ts_ms", pa.int64()),
    ]
)  # fmt: skip
ASCII = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.", max_size=10
)
EPOCH_MS = st.integers(0, 4_102_444_800_000)  # 1970-01-01 .. 2100-01-01
SURFACES = ["for_you", " For_You", "FOLLOWING ", "search", "profile", "feed"]
EDGES = [0, MAX_WATCH_MS, MAX_WATCH_MS + 1]


@pytest.fixture(scope="module")
def staging(raw_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("bad_rows")
    (work / "raw" / "views").mkdir(parents=True)
    (work / "compile").mkdir()
    pq.write_table(SCHEMA.empty_table(), work / "raw" / "views" / "views_generated.parquet")
    # A warehouse file that does not exist yet: dbt compiles the full (not incremental) SQL,
    # naming relations in a catalog called after the file, `ref`.
    result = dbt(
        "compile", work / "raw", work / "compile" / "ref.duckdb", work, "--select",
        "base_pgc__views",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    compiled = next((work / "target" / "compiled").rglob("base_pgc__views.sql")).read_text()
    con = duckdb.connect()
    con.execute(f"attach '{REFERENCE}' as ref (read_only)")
    valid = {
        name: {
            value
            for (value,) in con.execute(
                f"select {column} from ref.staging.{table} where quarantine_reason is null"
            ).fetchall()
        }
        for name, column, table in (
            ("viewers", "viewer_id", "base_pgc__viewers"),
            ("content", "content_id", "base_pgc__content"),
        )
    }
    surfaces = {
        s for (s,) in con.execute("select surface_code from ref.reference.surfaces").fetchall()
    }
    yield {"work": work, "sql": compiled, "con": con, "surfaces": surfaces, **valid}
    con.close()


def _reason(row: dict, staging: dict) -> str | None:
    """docs/raw_data_contract.md: the first rule a views row trips, or None when valid."""
    if any(row[k] is None for k in ("view_id", "impression_id", "viewer_id", "content_id")):
        return "null_key"
    if row["viewer_id"] not in staging["viewers"] or row["content_id"] not in staging["content"]:
        return "orphan_key"
    surface = None if row["surface_code"] is None else row["surface_code"].strip(" ").lower()
    device = None if row["device_os"] is None else row["device_os"].strip(" ").lower()
    if surface not in staging["surfaces"] or device not in DEVICES:
        return "unknown_enum"
    if row["viewed_ts_ms"] > row["ingest_ts_ms"]:
        return "future_timestamp"
    if row["watch_ms"] is not None and row["watch_ms"] < 0:
        return "negative_watch_time"
    if row["watch_ms"] is not None and row["watch_ms"] > MAX_WATCH_MS:
        return "absurd_watch_time"
    return None


@st.composite
def view_rows(draw, staging: dict) -> list[dict]:
    viewers = sorted(staging["viewers"])[:50]
    posts = sorted(staging["content"])[:50]

    def maybe(strategy):
        return st.one_of(st.none(), strategy)

    def enum(values):
        return st.one_of(st.sampled_from(values), ASCII)

    row = st.fixed_dictionaries(
        {
            "view_id": maybe(st.integers(1, 2**40)),
            "impression_id": maybe(st.integers(1, 2**40)),
            "viewer_id": maybe(st.one_of(st.sampled_from(viewers), ASCII)),
            "content_id": maybe(st.one_of(st.sampled_from(posts), ASCII)),
            "surface_code": maybe(enum(SURFACES)),
            "watch_ms": maybe(st.one_of(st.integers(-(10**9), 10**9), st.sampled_from(EDGES))),
            "is_completed": maybe(st.booleans()),
            "device_os": maybe(enum(["ios", " IOS", "Android", "web", "tv"])),
            "app_version": maybe(ASCII),
            "viewed_ts_ms": EPOCH_MS,
            "ingest_ts_ms": EPOCH_MS,
        }
    )  # fmt: skip
    rows = draw(st.lists(row, min_size=1, max_size=25))
    copies = draw(st.lists(st.sampled_from(rows), max_size=5))  # exact duplicates
    return rows + copies


def _stage(rows: list[dict], staging: dict) -> list[tuple]:
    path = staging["work"] / "raw" / "views" / "views_generated.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMA), path)
    return (
        staging["con"]
        .execute(f"select quarantine_reason, raw_row_json from ({staging['sql']})")
        .fetchall()
    )


@settings(
    max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(data=st.data())
def test_staging_accounts_for_every_random_row_and_quarantines_bad_ones(staging, data) -> None:
    rows = data.draw(view_rows(staging))
    staged = _stage(rows, staging)  # never raises

    distinct = {tuple(row.values()): row for row in rows}.values()
    assert len(staged) == len(distinct)  # raw = staged + quarantined + exact duplicates
    expected = Counter(_reason(row, staging) for row in distinct)
    assert Counter(reason for reason, _ in staged) == expected
    # Every quarantined row is kept whole, with the reason its own values give.
    for reason, raw_row_json in staged:
        if reason is not None:
            kept = json.loads(raw_row_json)
            assert kept in [dict(row) for row in distinct]
            assert _reason(kept, staging) == reason
