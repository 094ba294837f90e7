"""Which columns of a leaf table hold the values localization compares."""

import datetime as dt
from dataclasses import dataclass

# The columns an incident file's values can be named by, instead of detected: the value
# columns below and the file's time column. Kept here, away from numpy and pandas, so the
# command line can offer them without importing localization.
ROLES = ("actual", "expected", "actual_denominator", "expected_denominator", "time")


@dataclass(frozen=True)
class LeafColumns:
    """The actual and expected value columns of a leaf table and, for a ratio metric, their
    denominators. With only `actual_denominator`, `expected` is already at the actual
    volume (the expected rate times the actual denominator)."""

    actual: str = "actual"
    expected: str = "expected"
    actual_denominator: str | None = None
    expected_denominator: str | None = None

    def names(self) -> list[str]:
        """The columns that are set."""
        return [
            column
            for column in (
                self.actual,
                self.expected,
                self.actual_denominator,
                self.expected_denominator,
            )
            if column is not None
        ]


def leaf_value_column(measure: str, day: dt.date) -> str:
    """The column of a leaf table read for several days (`warehouse.metric_layer.leaf_rows`)
    that holds a measure ("numerator", "denominator") on one of them."""
    return f"{measure} {day.isoformat()}"
