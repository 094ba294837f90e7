"""Localization finds the simulator's planted logging bug from the raw views of the tiny data."""

import datetime as dt

import pytest

from python_checks.localization import localize

DIMENSIONS = ["region", "app_version", "device", "surface"]
BASELINE_DAYS = 3

# Clean views (distinct rows, known viewer, valid device, sane timestamps) counted per leaf:
# the incident day against the mean of the previous days.
LEAVES_SQL = """
with viewer_regions as (
    select viewer_id, min(upper(trim(region_code))) as region
    from viewers
    where viewer_id is not null
    group by viewer_id
),
clean_views as (
    select distinct
        views.view_id,
        cast(make_timestamp(views.viewed_ts_ms * 1000) as date) as view_date,
        viewer_regions.region,
        views.app_version,
        lower(trim(views.device_os)) as device,
        lower(trim(views.surface_code)) as surface,
        views.is_completed
    from views
    inner join viewer_regions on views.viewer_id = viewer_regions.viewer_id
    where
        views.view_id is not null
        and views.watch_ms >= 0
        and views.viewed_ts_ms <= views.ingest_ts_ms
        and lower(trim(views.device_os)) in ('ios', 'android', 'web')
)
select
    region,
    app_version,
    device,
    surface,
    count(*) filter (where view_date = $day) as actual_views,
    count(*) filter (where view_date = $day and is_completed) as actual_completed,
    count(*) filter (where view_date between $first and $last) / $days as expected_views,
    count(*) filter (where view_date between $first and $last and is_completed) / $days
        as expected_completed
from clean_views
group by all
having actual_views > 0 or expected_views > 0
"""


@pytest.fixture(scope="module")
def logging_bug(truth):
    (incident,) = [i for i in truth["incidents"] if i["kind"] == "logging_bug"]
    return incident


def test_the_logging_bug_is_the_top_culprit_of_the_completion_rate(raw, logging_bug):
    (day,) = (dt.date.fromisoformat(d) for d in logging_bug["dates"])
    leaves = raw.execute(
        LEAVES_SQL,
        {
            "day": day,
            "first": day - dt.timedelta(days=BASELINE_DAYS),
            "last": day - dt.timedelta(days=1),
            "days": float(BASELINE_DAYS),
        },
    ).df()
    result = localize(
        leaves,
        DIMENSIONS,
        actual="actual_completed",
        expected="expected_completed",
        actual_denominator="actual_views",
        expected_denominator="expected_views",
    )
    assert logging_bug["root_cause"] == {"region": "BR", "app_version": "31.2"}
    top = result.culprits[0]
    assert top.slice == logging_bug["root_cause"]
    assert result.root_causes == (logging_bug["root_cause"],)
    # Magnitude 1.0: the slice logs no completed view at all that day.
    assert logging_bug["magnitude"] == 1.0
    assert top.actual == 0.0
    assert top.explanatory_power > 0.5  # most of the drop (0.65 to 1.27 over seeds 1, 2, 3, 7)
