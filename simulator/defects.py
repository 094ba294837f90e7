"""Plants dirty rows at known rates and counts them.

Defects are extra rows (docs/raw_data_contract.md): a copy of a clean row with a
new id and exactly one defect. Late arrival is the exception: it delays the
ingestion of clean rows, which stay valid.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from simulator.frame import Frame, Labels, Nullable, concat_frames, frame_length, take_rows
from simulator.params import DEFECTS
from simulator.schemas import ENUM_COLUMNS, PLANS, DefectPlan

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
MAX_PLAUSIBLE_WATCH_MS = 6 * HOUR_MS


def _count(rng: np.random.Generator, n_rows: int, rate: float) -> int:
    return int(rng.binomial(n_rows, rate)) if n_rows else 0


def _pick(rng: np.random.Generator, n_rows: int, count: int) -> np.ndarray:
    return np.sort(rng.choice(n_rows, size=min(count, n_rows), replace=False))


def _set_null(column, rows: np.ndarray):
    if isinstance(column, Labels):
        codes = column.codes.copy()
        codes[rows] = -1
        return Labels(codes, column.labels)
    if isinstance(column, Nullable):
        is_null = column.is_null.copy()
        is_null[rows] = True
        return Nullable(column.values, is_null)
    is_null = np.zeros(len(column), dtype=bool)
    is_null[rows] = True
    return Nullable(column, is_null)


def _new_ids(frame: Frame, plan: DefectPlan, n_rows: int, id_source) -> Frame:
    """Give copied rows fresh ids so they never collide with a clean row."""
    if n_rows == 0:
        return frame
    column = frame[plan.own_id]
    ids = id_source(n_rows)
    if isinstance(column, Labels):
        labels = np.concatenate([column.labels, np.asarray(ids, dtype=object)])
        frame[plan.own_id] = Labels(np.arange(len(column.labels), len(labels)), labels)
    else:
        frame[plan.own_id] = np.asarray(ids, dtype=np.int64)
    return frame


def make_late(
    frame: Frame, event_ts: str, rng: np.random.Generator, rate: float = DEFECTS.late_arriving
) -> int:
    """Delay ingestion of a share of clean rows by 2 to 7 days, in place."""
    rows = _pick(rng, frame_length(frame), _count(rng, frame_length(frame), rate))
    delay = rng.integers(2 * DAY_MS, 7 * DAY_MS, size=len(rows))
    frame["ingest_ts_ms"][rows] = frame[event_ts][rows] + delay
    return len(rows)


@dataclass
class _Planting:
    """One table's planting: its clean rows, the draws, and the counts so far."""

    plan: DefectPlan
    clean: Frame
    rng: np.random.Generator
    id_source: Callable[[int], object]
    orphan_id_source: Callable[[str, int], list[str]]
    dimension_rate: float | None
    counts: Counter = field(default_factory=Counter)

    def rate(self, name: str) -> float:
        return self.dimension_rate if self.dimension_rate is not None else getattr(DEFECTS, name)

    def copies(self, name: str) -> Frame | None:
        """Copies of randomly chosen clean rows, to carry one defect each."""
        n_clean = frame_length(self.clean)
        rows = _pick(self.rng, n_clean, _count(self.rng, n_clean, self.rate(name)))
        if len(rows) == 0:
            return None
        self.counts[name] += len(rows)
        return take_rows(self.clean, rows)

    def renamed_copies(self, name: str) -> Frame | None:
        """Copies with fresh ids of the table's own, so they never collide with a clean row."""
        piece = self.copies(name)
        if piece is None:
            return None
        return _new_ids(piece, self.plan, frame_length(piece), self.id_source)


def _duplicates(planting: _Planting) -> Frame | None:
    """Exact copies: same id, same everything."""
    return planting.copies("duplicate") if planting.plan.is_event_table else None


def _null_keys(planting: _Planting) -> Frame | None:
    plan = planting.plan
    if not plan.null_keys or (piece := planting.renamed_copies("null_key")) is None:
        return None
    keys = (plan.own_id, *plan.foreign_ids, *plan.other_keys)
    which = planting.rng.integers(0, len(keys), size=frame_length(piece))
    for position, key in enumerate(keys):
        piece[key] = _set_null(piece[key], np.flatnonzero(which == position))
    return piece


def _orphan_keys(planting: _Planting) -> Frame | None:
    plan = planting.plan
    if not plan.foreign_ids or (piece := planting.renamed_copies("orphan_key")) is None:
        return None
    which = planting.rng.integers(0, len(plan.foreign_ids), size=frame_length(piece))
    for position, key in enumerate(plan.foreign_ids):
        rows = np.flatnonzero(which == position)
        column = piece[key]
        ghosts = np.asarray(planting.orphan_id_source(key, len(rows)), dtype=object)
        codes = column.codes.copy()
        codes[rows] = len(column.labels) + np.arange(len(rows))
        piece[key] = Labels(codes, np.concatenate([column.labels, ghosts]))
    return piece


def _unknown_enums(planting: _Planting) -> Frame | None:
    plan = planting.plan
    if not plan.unknown_enum or (piece := planting.renamed_copies("unknown_enum")) is None:
        return None
    column_name, unknown_value = plan.unknown_enum
    column, code = piece[column_name].with_label(unknown_value)
    piece[column_name] = Labels(np.full(len(column.codes), code), column.labels)
    return piece


def _future_timestamps(planting: _Planting) -> Frame | None:
    plan = planting.plan
    if not plan.event_ts or (piece := planting.renamed_copies("future_timestamp")) is None:
        return None
    ahead = planting.rng.integers(HOUR_MS, 30 * DAY_MS, size=frame_length(piece))
    piece[plan.event_ts] = piece["ingest_ts_ms"] + ahead
    return piece


def _negative_watch_times(planting: _Planting) -> Frame | None:
    if not planting.plan.watch_time:
        return None
    if (piece := planting.renamed_copies("negative_watch_time")) is None:
        return None
    piece["watch_ms"] = -planting.rng.integers(1, 60_000, size=frame_length(piece))
    return piece


def _absurd_watch_times(planting: _Planting) -> Frame | None:
    if not planting.plan.watch_time:
        return None
    if (piece := planting.renamed_copies("absurd_watch_time")) is None:
        return None
    piece["watch_ms"] = planting.rng.integers(
        MAX_PLAUSIBLE_WATCH_MS + 1, 8 * MAX_PLAUSIBLE_WATCH_MS, size=frame_length(piece)
    )
    return piece


def _negative_amounts(planting: _Planting) -> Frame | None:
    if not planting.plan.amount or (piece := planting.renamed_copies("negative_amount")) is None:
        return None
    piece["payout_usd"] = -np.round(planting.rng.uniform(0.01, 50.0, size=frame_length(piece)), 2)
    return piece


# In this order: each planter draws from the table's generator.
_PLANTERS = (
    _duplicates,
    _null_keys,
    _orphan_keys,
    _unknown_enums,
    _future_timestamps,
    _negative_watch_times,
    _absurd_watch_times,
    _negative_amounts,
)


def plant_defects(
    table: str,
    clean: Frame,
    rng: np.random.Generator,
    id_source,
    orphan_id_source,
    dimension_rate: float | None = None,
) -> tuple[Frame, Counter]:
    """Return the clean rows followed by planted dirty rows, and counts per defect.

    `id_source(n)` gives n fresh ids for the table's own id column;
    `orphan_id_source(column, n)` gives n ids that name no parent.
    """
    planting = _Planting(PLANS[table], clean, rng, id_source, orphan_id_source, dimension_rate)
    out = clean
    for planter in _PLANTERS:
        if (piece := planter(planting)) is not None:
            out = concat_frames(out, piece)
    return out, planting.counts


def mess_up_spelling(frame: Frame, rng: np.random.Generator) -> None:
    """Case and whitespace noise on enum columns, in place (not a defect)."""
    for name in ENUM_COLUMNS:
        column = frame.get(name)
        if not isinstance(column, Labels) or len(column.codes) == 0:
            continue
        rows = np.flatnonzero(rng.random(len(column.codes)) < DEFECTS.messy_enum_spelling)
        rows = rows[column.codes[rows] >= 0]
        if len(rows) == 0:
            continue
        variants = []
        for label in column.labels:
            variants += [label.upper(), label.title(), f" {label}", f"{label} ", label.lower()]
        labels = np.concatenate([column.labels, np.asarray(variants, dtype=object)])
        style = rng.integers(0, 5, size=len(rows))
        codes = column.codes.copy()
        codes[rows] = len(column.labels) + column.codes[rows] * 5 + style
        frame[name] = Labels(codes, labels)
