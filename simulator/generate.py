"""Runs the platform day by day and writes raw Parquet plus the ground truth.

Memory stays bounded: a day's events are written and dropped before the next
day starts; only per-creator state and the post catalogue carry over.
"""

import itertools
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.defects import make_late, mess_up_spelling, plant_defects
from simulator.frame import Frame, frame_length, to_arrow_table
from simulator.params import DEFECTS, START_DATE
from simulator.platform_model import Platform, event_ids
from simulator.reference import load_reference
from simulator.scales import SCALES
from simulator.schemas import DAILY_TABLES, SCHEMAS, SINGLE_FILE_TABLES
from simulator.truth import hidden_traits, treatment_effect_columns

EVENT_TIME = {
    "impressions": "served_ts_ms",
    "views": "viewed_ts_ms",
    "engagements": "engaged_ts_ms",
    "follows": "event_ts_ms",
    "experiment_assignments": "assigned_ts_ms",
}
DIMENSION_ID_PREFIX = {"viewers": "v_bad_", "creators": "c_bad_", "content": "p_bad_"}
ORPHAN_ID_PREFIX = {"viewer_id": "v_ghost_", "creator_id": "c_ghost_", "content_id": "p_ghost_"}


class Writer:
    """Plants defects in one table's clean rows, writes the file, keeps count."""

    def __init__(self, out_dir: Path, platform: Platform) -> None:
        self.out_dir, self.platform = out_dir, platform
        self.serial = itertools.count(1)  # shared by every made-up string id

    def orphan_ids(self, column: str, n: int) -> list[str]:
        return [f"{ORPHAN_ID_PREFIX[column]}{next(self.serial):07d}" for _ in range(n)]

    def write(
        self, table: str, frame: Frame, path: Path, rng: np.random.Generator, day: int | None
    ):
        mess_up_spelling(frame, rng)
        late = make_late(frame, EVENT_TIME[table], rng) if table in EVENT_TIME else 0
        n_clean = frame_length(frame)
        if day is None:
            if table in DIMENSION_ID_PREFIX:
                prefix = DIMENSION_ID_PREFIX[table]
                id_source = lambda n: [f"{prefix}{next(self.serial):07d}" for _ in range(n)]  # noqa: E731
            else:
                counter = itertools.count(n_clean + 1)
                id_source = lambda n: [next(counter) for _ in range(n)]  # noqa: E731
            rate = DEFECTS.dimension_rate
        else:
            used = [n_clean]

            def id_source(n: int) -> np.ndarray:
                ids = event_ids(day, table, n, start=used[0])
                used[0] += n
                return ids

            # The rewards tables are small: plant at the dimension rate so
            # even tiny data holds every kind of defect.
            rate = DEFECTS.dimension_rate if table == "rewards_payouts" else None
        frame, counts = plant_defects(table, frame, rng, id_source, self.orphan_ids, rate)
        if late:
            counts["late_arriving"] = late
        self.platform.truth.record_table(table, n_clean, frame_length(frame), counts)
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(to_arrow_table(frame, SCHEMAS[table]), path, compression="zstd")
        return frame_length(frame)


def generate(
    scale_name: str,
    out_dir: Path,
    days: int | None = None,
    seed: int = 7,
    log: Callable[[str], None] = lambda message: print(message, file=sys.stderr, flush=True),
) -> Path:
    scale = SCALES[scale_name]
    days = days or scale.default_days
    out_dir.mkdir(parents=True, exist_ok=True)
    for table in DAILY_TABLES:  # a shorter re-run must not leave old days behind
        for stale in (out_dir / table).glob("*.parquet"):
            stale.unlink()

    started = time.monotonic()
    log(
        f"simulating {scale.name}: {scale.viewers:,} viewers, "
        f"{scale.creators:,} creators, {days} days"
    )
    platform = Platform(scale, days, seed, load_reference())
    writer = Writer(out_dir, platform)
    report_every = max(1, days // 8)
    for day in range(days):
        date = START_DATE.fromordinal(START_DATE.toordinal() + day).isoformat()
        tables = platform.simulate_day(day)
        for stream, table in enumerate(DAILY_TABLES):
            path = out_dir / table / f"{table}_{date}.parquet"
            writer.write(table, tables[table], path, platform.rng(day, 100 + stream), day)
        if (day + 1) % report_every == 0 or day == days - 1:
            views = platform.truth.daily[day]["views"]
            log(
                f"  day {day + 1}/{days} ({date}): {views:,} views, "
                f"{time.monotonic() - started:.0f}s"
            )

    for stream, (table, frame) in enumerate(
        platform.dimension_tables(platform.rng(days, 0)).items()
    ):
        writer.write(
            table, frame, out_dir / f"{table}.parquet", platform.rng(days, 200 + stream), None
        )
    assert set(SINGLE_FILE_TABLES) <= set(platform.truth.raw_rows)

    platform.truth.write(out_dir)
    traits = hidden_traits(platform.creators, platform.enrolled_day)
    pq.write_table(pa.table(traits), out_dir / "hidden_traits.parquet")
    effects = treatment_effect_columns(
        platform.truth.treatment_effect_rows(), platform.creators.ids
    )
    pq.write_table(pa.table(effects), out_dir / "treatment_effects.parquet")
    raw = sum(platform.truth.raw_rows.values())
    log(f"wrote {raw:,} raw rows to {out_dir} in {time.monotonic() - started:.1f}s")
    return out_dir
