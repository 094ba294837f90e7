"""The days a day is compared against, and their average day.

A baseline of several days is its *average day*: additive and count metrics are averaged,
ratios are the ratio of the averaged numerator and denominator (not the mean of daily
ratios). That keeps every identity of the metric tree exact for the baseline too: for
watch_hours = viewers x views/viewer x hours/view the averaged factors still multiply to the
averaged watch hours, because the ratios telescope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


class BaselineError(ValueError):
    """A baseline that cannot be built as asked (a usage error)."""


@dataclass(frozen=True)
class BaselinePeriod:
    """The days a comparison day is measured against, and how to say so."""

    label: str
    dates: tuple[dt.date, ...]

    @classmethod
    def one_day(cls, day: dt.date, baseline_day: dt.date) -> BaselinePeriod:
        if baseline_day == day:
            raise BaselineError(f"the baseline day {baseline_day} is the day being explained")
        return cls(f"{baseline_day}", (baseline_day,))

    @classmethod
    def previous_days(cls, day: dt.date, count: int) -> BaselinePeriod:
        """The `count` days just before `day`."""
        if count < 1:
            raise BaselineError(f"a baseline needs at least one day, got {count}")
        dates = tuple(day - dt.timedelta(days=k) for k in range(count, 0, -1))
        return cls(f"mean of {dates[0]}..{dates[-1]} ({count} days)", dates)

    @classmethod
    def weeks_back(cls, day: dt.date, weeks: int) -> BaselinePeriod:
        """The same weekday `weeks` weeks before `day`."""
        if weeks < 1:
            raise BaselineError(f"a baseline needs at least one week back, got {weeks}")
        previous = day - dt.timedelta(weeks=weeks)
        return cls(f"{previous} (same weekday, {weeks} week(s) before)", (previous,))

    @classmethod
    def same_weekdays(cls, day: dt.date, weeks: int) -> BaselinePeriod:
        """The same weekday in each of the `weeks` weeks before `day`: their mean removes the
        day-of-week cycle."""
        if weeks < 1:
            raise BaselineError(f"a baseline needs at least one week, got {weeks}")
        dates = tuple(day - dt.timedelta(weeks=k) for k in range(weeks, 0, -1))
        return cls(f"mean of the same weekday over {weeks} weeks before {day}", dates)


def choose_baseline(
    day: dt.date,
    baseline_day: dt.date | None = None,
    baseline_days: int | None = None,
    weeks_back: int | None = None,
) -> BaselinePeriod:
    """One of: a given day, the mean of the N days before `day`, or the same weekday K weeks
    before (K = 1 when nothing is given)."""
    if sum(option is not None for option in (baseline_day, baseline_days, weeks_back)) > 1:
        raise BaselineError("give at most one of --baseline, --baseline-days, --weeks-back")
    if baseline_day is not None:
        return BaselinePeriod.one_day(day, baseline_day)
    if baseline_days is not None:
        return BaselinePeriod.previous_days(day, baseline_days)
    return BaselinePeriod.weeks_back(day, 1 if weeks_back is None else weeks_back)


def average_day(
    rows: pd.DataFrame, dates: Sequence[dt.date], keys: Sequence[str], complete: bool
) -> pd.DataFrame:
    """The average day over `dates` per group of `keys`: value, numerator, denominator.

    Ratios (rows with a denominator) are the ratio of the averaged numerator and denominator.
    With `complete`, a group missing a value on any of the days gets NaN (a total series with
    a gap); otherwise a missing day counts as zero (a slice with no activity that day).
    """
    selected = rows[rows["metric_date"].isin(set(dates))]
    grouped = selected.groupby(list(keys), dropna=False)
    sums = grouped[["value", "numerator", "denominator"]].sum(min_count=1)
    mean = sums / len(dates)
    has_ratio = mean["denominator"].notna()
    mean.loc[has_ratio, "value"] = mean["numerator"] / mean["denominator"]
    if complete:
        days_with_value = grouped["value"].count()
        mean.loc[days_with_value < len(dates)] = np.nan
    return mean
