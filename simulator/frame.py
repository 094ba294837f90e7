"""A table under construction: numpy columns, strings held as dictionary codes.

Entity ids and enums repeat millions of times a day, so string columns are
integer codes into a small list of labels; Parquet stores them dictionary
encoded. A code of -1 is a null.
"""

from dataclasses import dataclass

import numpy as np
import pyarrow as pa


@dataclass
class Labels:
    """A string column: `codes` index into `labels`; -1 is null."""

    codes: np.ndarray
    labels: np.ndarray  # object array of str

    def take(self, rows: np.ndarray) -> "Labels":
        return Labels(self.codes[rows], self.labels)

    def with_label(self, label: str) -> tuple["Labels", int]:
        """The same column with one more label, and that label's code."""
        return Labels(self.codes, np.append(self.labels, label)), len(self.labels)

    def to_arrow(self) -> pa.Array:
        if len(self.labels) == 0:
            return pa.nulls(len(self.codes), pa.string())
        # Keep only the labels this column uses, so a day's file does not carry
        # every id of the population in its dictionary.
        mask = self.codes < 0
        used, inverse = np.unique(np.where(mask, 0, self.codes), return_inverse=True)
        indices = pa.array(inverse.astype(np.int32), mask=mask)
        return pa.DictionaryArray.from_arrays(
            indices, pa.array(self.labels[used].tolist(), pa.string())
        )


@dataclass
class Nullable:
    """A numeric column that may hold nulls (a null key planted as a defect)."""

    values: np.ndarray
    is_null: np.ndarray

    def take(self, rows: np.ndarray) -> "Nullable":
        return Nullable(self.values[rows], self.is_null[rows])

    def to_arrow(self) -> pa.Array:
        return pa.array(self.values, mask=self.is_null)


Column = np.ndarray | Labels | Nullable
Frame = dict[str, Column]


def column_length(column: Column) -> int:
    if isinstance(column, Labels):
        return len(column.codes)
    if isinstance(column, Nullable):
        return len(column.values)
    return len(column)


def frame_length(frame: Frame) -> int:
    return column_length(next(iter(frame.values())))


def take_rows(frame: Frame, rows: np.ndarray) -> Frame:
    return {
        name: column.take(rows) if isinstance(column, Labels | Nullable) else column[rows]
        for name, column in frame.items()
    }


def _merge_labels(first: Labels, second: Labels) -> Labels:
    """Concatenate two string columns whose label lists share a prefix.

    Columns here descend from one clean column, so their label lists agree on
    a long prefix (the population's ids); only labels past it are looked up.
    """
    shortest = min(len(first.labels), len(second.labels))
    differs = first.labels[:shortest] != second.labels[:shortest]
    prefix = int(np.argmax(differs)) if differs.any() else shortest
    labels = list(first.labels)
    position = {label: code for code, label in enumerate(labels[prefix:], start=prefix)}
    remap = np.arange(len(second.labels))
    for code in range(prefix, len(second.labels)):
        label = second.labels[code]
        if label not in position:
            position[label] = len(labels)
            labels.append(label)
        remap[code] = position[label]
    second_codes = np.where(second.codes < 0, -1, remap[np.maximum(second.codes, 0)])
    return Labels(np.concatenate([first.codes, second_codes]), np.asarray(labels, dtype=object))


def concat_frames(first: Frame, second: Frame) -> Frame:
    """Row-wise concatenation; label lists are merged so codes stay valid."""
    out: Frame = {}
    for name, column in first.items():
        other = second[name]
        if isinstance(column, Labels):
            out[name] = _merge_labels(column, other)
        elif isinstance(column, Nullable) or isinstance(other, Nullable):
            column, other = _as_nullable(column), _as_nullable(other)
            out[name] = Nullable(
                np.concatenate([column.values, other.values]),
                np.concatenate([column.is_null, other.is_null]),
            )
        else:
            out[name] = np.concatenate([column, other])
    return out


def _as_nullable(column: "np.ndarray | Nullable") -> Nullable:
    if isinstance(column, Nullable):
        return column
    return Nullable(column, np.zeros(len(column), dtype=bool))


def to_arrow_table(frame: Frame, schema: pa.Schema) -> pa.Table:
    arrays = []
    for schema_field in schema:
        column = frame[schema_field.name]
        if isinstance(column, Labels):
            # Plain strings: Parquet dictionary-encodes them itself, and writing
            # Arrow dictionary arrays directly gave bytes that varied run to run.
            arrays.append(column.to_arrow().cast(pa.string()))
        elif isinstance(column, Nullable):
            arrays.append(column.to_arrow().cast(schema_field.type))
        else:
            arrays.append(pa.array(column).cast(schema_field.type))
    names = [schema_field.name for schema_field in schema]
    return pa.Table.from_arrays(arrays, names=names)
