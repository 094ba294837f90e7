"""Which columns of a leaf table hold the values localization compares."""

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
