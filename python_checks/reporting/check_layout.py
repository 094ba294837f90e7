"""The text of `pgc check`: counts by category and status, then every fail and warn."""

from __future__ import annotations

import pandas as pd

from python_checks.reporting.formats import render_table


def render_check_summary(results: pd.DataFrame) -> str:
    """Counts by category and status, then every failing or warning check."""
    if results.empty:
        return "No checks ran."
    counts = (
        results.groupby(["category", "status"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=["pass", "warn", "fail"], fill_value=0)
    )
    rows = [[category, *(f"{n:,}" for n in counts.loc[category])] for category in counts.index]
    rows.append(["total", *(f"{n:,}" for n in counts.sum())])
    lines = ["Checks by category", render_table(["category", "pass", "warn", "fail"], rows)]
    flagged = results[results["status"] != "pass"].sort_values(
        ["status", "blocking", "category"], ascending=[True, False, True]
    )
    if not flagged.empty:
        rows = [
            [
                record.status,
                "yes" if record.blocking else "no",
                record.check_name,
                record.subject,
                record.detail,
            ]
            for record in flagged.itertuples()
        ]
        headers = ["status", "blocking", "check", "subject", "detail"]
        lines += ["", "Failures and warnings", render_table(headers, rows, left_columns=5)]
    return "\n".join(lines)
