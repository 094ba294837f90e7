"""The `checks` schema: each `pgc check` run, its results and its anomalies, history kept.

- `checks.check_runs`: run_id, run_at, warehouse, suites, exit_code;
- `checks.check_results`: run_id, run_at + the CheckResult columns;
- `checks.metric_anomalies`: run_id + the anomaly frame's columns;
- `checks.latest_check_results`: a view of the results of the most recent run.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from python_checks.monitoring.check_runner import CheckRun


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists checks")
    con.execute(
        "create table if not exists checks.check_runs (run_id varchar primary key, "
        "run_at timestamp, warehouse varchar, suites varchar, exit_code integer)"
    )
    con.execute(
        "create table if not exists checks.check_results (run_id varchar, run_at timestamp, "
        "check_name varchar, category varchar, subject varchar, status varchar, "
        "blocking boolean, detail varchar, statistic double, p_value double, q_value double, "
        "effect_size double, threshold double)"
    )
    con.execute(
        "create or replace view checks.latest_check_results as select * "
        "from checks.check_results where run_id = (select run_id from checks.check_runs "
        "order by run_at desc limit 1)"
    )


def write_check_run(con: duckdb.DuckDBPyConnection, run: CheckRun, warehouse: str) -> None:
    """Append the run, its results and anomalies to the checks schema."""
    _create_tables(con)
    con.execute(
        "insert into checks.check_runs values (?, ?, ?, ?, ?)",
        [run.run_id, run.run_at, warehouse, ",".join(run.suites), run.exit_code],
    )
    results = run.results.assign(run_id=run.run_id, run_at=run.run_at)
    con.register("new_check_results", results)
    con.execute("insert into checks.check_results by name select * from new_check_results")
    con.unregister("new_check_results")
    if run.anomalies is not None and not run.anomalies.empty:
        anomalies = run.anomalies.assign(run_id=run.run_id)
        con.register("new_anomalies", anomalies)
        con.execute(
            "create table if not exists checks.metric_anomalies as "
            "select * from new_anomalies limit 0"
        )
        con.execute("insert into checks.metric_anomalies by name select * from new_anomalies")
        con.unregister("new_anomalies")


def latest_anomalies(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """The anomaly frame of the latest `pgc check` run, or None when checks have not run."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'checks' and table_name in ('metric_anomalies', 'check_runs')"
    ).fetchone()[0]
    if exists < 2:
        return None
    frame = con.execute(
        "select * exclude (run_id) from checks.metric_anomalies where run_id = "
        "(select run_id from checks.check_runs order by run_at desc limit 1)"
    ).df()
    frame["metric_date"] = pd.to_datetime(frame["metric_date"]).dt.date
    return frame
