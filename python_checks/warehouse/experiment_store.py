"""`checks.experiment_results` and `checks.experiment_runs`: every `pgc experiment` readout
of a registered experiment, history kept, for BI tools.

- `checks.experiment_runs`: one row per run: run_id, run_at (UTC), warehouse, experiment_id,
  the design's dates, the sample-ratio p-value, and the decision (verdict, rule, reason);
- `checks.experiment_results`: one row per run x experiment x metric x segment x estimator
  x variant: effects, intervals, p-values (the relative interval's own, adjusted, and
  always-valid), the method; `segment` is `total` for the headline metrics and names the
  slice of a breakdown (`surface=for_you`), `estimator` is `welch` or `cuped` for metric
  lifts and names an interference estimate otherwise;
- `checks.latest_experiment_results`: a view of each experiment's most recent run.
"""

from __future__ import annotations

import datetime as dt
import secrets

import duckdb
import pandas as pd

from python_checks.experiments.experiment_readout import (
    ExperimentReadout,
    estimate_records,
    result_records,
)

RESULT_COLUMNS = {
    "run_id": "varchar", "run_at": "timestamp", "experiment_id": "varchar",
    "metric_name": "varchar", "segment": "varchar", "estimator": "varchar",
    "unit_type": "varchar", "role": "varchar", "direction": "varchar", "variant": "varchar",
    "control_variant": "varchar", "n_control": "bigint", "n_treatment": "bigint",
    "control_value": "double", "treatment_value": "double", "absolute_effect": "double",
    "absolute_ci_low": "double", "absolute_ci_high": "double", "absolute_p_value": "double",
    "relative_effect": "double", "ci_low": "double", "ci_high": "double", "p_value": "double",
    "adjusted_p_value": "double", "adjustment": "varchar", "sequential_ci_low": "double",
    "sequential_ci_high": "double", "sequential_p_value": "double",
    "variance_reduction": "double", "alpha": "double", "method": "varchar",
    "decision": "varchar",
}  # fmt: skip
RUN_COLUMNS = {
    "run_id": "varchar", "run_at": "timestamp", "warehouse": "varchar",
    "experiment_id": "varchar", "experiment_name": "varchar",
    "randomization_unit": "varchar", "start_date": "date", "end_date": "date",
    "data_end_date": "date", "srm_p_value": "double", "is_blocked": "boolean",
    "verdict": "varchar", "decision_rule": "varchar", "decision_reason": "varchar",
}  # fmt: skip


def new_run_id() -> str:
    return secrets.token_hex(6)


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists checks")
    for table, columns in (
        ("experiment_runs", RUN_COLUMNS),
        ("experiment_results", RESULT_COLUMNS),
    ):
        body = ", ".join(f"{name} {kind}" for name, kind in columns.items())
        con.execute(f"create table if not exists checks.{table} ({body})")
    con.execute(
        "create or replace view checks.latest_experiment_results as "
        "select results.* from checks.experiment_results as results "
        "inner join (select experiment_id, arg_max(run_id, run_at) as run_id "
        "from checks.experiment_runs group by experiment_id) as latest "
        "on results.run_id = latest.run_id"
    )


def write_experiment_run(
    con: duckdb.DuckDBPyConnection,
    readout: ExperimentReadout,
    warehouse: str,
    run_id: str | None = None,
    run_at: dt.datetime | None = None,
) -> str:
    """Append the readout's run and result rows; returns the run id."""
    run_id = run_id or new_run_id()
    run_at = run_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    _create_tables(con)
    design = readout.design
    decision = readout.decisions.get("treatment") or next(iter(readout.decisions.values()))
    srm = min((check.p_value for check in readout.srm), default=None)
    run = {
        "run_id": run_id, "run_at": run_at, "warehouse": warehouse,
        "experiment_id": design.experiment_id, "experiment_name": design.name,
        "randomization_unit": design.randomization_unit, "start_date": design.start_date,
        "end_date": design.end_date, "data_end_date": design.data_end_date,
        "srm_p_value": srm, "is_blocked": readout.is_blocked, "verdict": decision.verdict,
        "decision_rule": decision.rule, "decision_reason": decision.reason,
    }  # fmt: skip
    con.execute(
        f"insert into checks.experiment_runs ({', '.join(RUN_COLUMNS)}) values "
        f"({', '.join('?' * len(RUN_COLUMNS))})",
        [run[name] for name in RUN_COLUMNS],
    )
    records = result_records(readout, breakdowns=True) + estimate_records(readout)
    frame = pd.DataFrame(records).rename(
        columns={"metric": "metric_name", "control": "control_variant"}
    )
    frame["run_id"], frame["run_at"] = run_id, run_at
    frame["experiment_id"] = design.experiment_id
    frame["decision"] = [
        readout.decisions[v].verdict if v in readout.decisions else None for v in frame["variant"]
    ]
    frame = frame.reindex(columns=list(RESULT_COLUMNS))
    con.register("new_experiment_results", frame)
    con.execute(
        "insert into checks.experiment_results by name select * from new_experiment_results"
    )
    con.unregister("new_experiment_results")
    return run_id


def latest_experiment_readouts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """checks.latest_experiment_results joined to its run (verdict, rule, SRM), or None when
    `pgc experiment` has not written any."""
    (exists,) = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'checks' "
        "and table_name in ('experiment_runs', 'experiment_results')"
    ).fetchone()
    if exists < 2:
        return None
    return con.execute(
        "select results.*, runs.experiment_name, runs.verdict, runs.decision_rule, "
        "runs.decision_reason, runs.srm_p_value, runs.is_blocked "
        "from checks.latest_experiment_results as results "
        "inner join checks.experiment_runs as runs on results.run_id = runs.run_id "
        "order by results.experiment_id, results.metric_name, results.segment"
    ).df()
