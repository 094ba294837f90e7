"""Reads the panels of the causal studies from the marts (`python_checks.causal.panels`).

- creator-days: marts.fct_creator_daily (one row per creator and day since signup);
- creators: marts.dim_creators, the first enrollment date and the region's program rules of
  marts.fct_rewards_creator_daily / reference.rewards_program_rules, and each tool's first
  use from marts.fct_tool_adoption;
- region launches: reference.region_launches (the seed of launches that reached one region
  first).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from python_checks.causal.panels import CausalPanel
from python_checks.warehouse.connection import WarehouseError

CREATOR_DAYS_SQL = """
select
    creator_id,
    activity_date,
    post_count,
    view_count,
    watch_ms,
    follower_count,
    view_count_28d
from marts.fct_creator_daily
order by creator_id, activity_date
"""

CREATORS_SQL = """
with rules as (
    select
        region_code,
        min(launch_date) as program_launch_date,
        min(min_followers) as min_followers,
        min(min_views_28d) as min_views_28d
    from reference.rewards_program_rules
    group by region_code
),

tools as (
    select
        creator_id,
        min(case when tool_code = 'scheduler' then first_used_date end)
            as scheduler_first_used_date,
        coalesce(bool_or(tool_code = 'scheduler' and is_adopted_before_window), false)
            as scheduler_adopted_before_window,
        min(case when tool_code = 'editor' then first_used_date end) as editor_first_used_date,
        coalesce(bool_or(tool_code = 'editor' and is_adopted_before_window), false)
            as editor_adopted_before_window
    from marts.fct_tool_adoption
    group by creator_id
)

select
    dim_creators.creator_id,
    dim_creators.creator_type,
    dim_creators.region_code,
    dim_creators.signup_date,
    cast(dim_creators.rewards_enrolled_at as date) as enrollment_date,
    rules.program_launch_date,
    rules.min_followers,
    rules.min_views_28d,
    tools.scheduler_first_used_date,
    coalesce(tools.scheduler_adopted_before_window, false) as scheduler_adopted_before_window,
    tools.editor_first_used_date,
    coalesce(tools.editor_adopted_before_window, false) as editor_adopted_before_window
from marts.dim_creators
left join rules on dim_creators.region_code = rules.region_code
left join tools on dim_creators.creator_id = tools.creator_id
order by dim_creators.creator_id
"""

REGION_LAUNCHES_SQL = """
select launch_id, region_code, launch_date
from reference.region_launches
order by launch_date, launch_id
"""

DATE_COLUMNS = {
    "creator_days": ("activity_date",),
    "creators": (
        "signup_date",
        "enrollment_date",
        "program_launch_date",
        "scheduler_first_used_date",
        "editor_first_used_date",
    ),
    "region_launches": ("launch_date",),
}


def _read(con: duckdb.DuckDBPyConnection, sql: str, name: str) -> pd.DataFrame:
    try:
        frame = con.execute(sql).df()
    except duckdb.CatalogException as error:
        first_line = str(error).splitlines()[0]
        raise WarehouseError(
            f"cannot read the {name} of the causal studies ({first_line}): build the "
            "warehouse with `make run`"
        ) from None
    for column in DATE_COLUMNS[name]:
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def read_causal_panel(con: duckdb.DuckDBPyConnection, source: str = "") -> CausalPanel:
    """The creator-day panel, the creators and the region launches, as plain frames."""
    return CausalPanel(
        creator_days=_read(con, CREATOR_DAYS_SQL, "creator_days"),
        creators=_read(con, CREATORS_SQL, "creators"),
        region_launches=_read(con, REGION_LAUNCHES_SQL, "region_launches"),
        source=source,
    )
