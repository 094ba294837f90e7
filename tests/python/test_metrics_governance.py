"""Breaking a metric governance rule fails the build with a message that names
the metric and the field. Each test copies the project to a temporary folder,
breaks rules in the copy's YAML and compiles metric_catalogue there (the
model whose compilation runs validate_metric_governance)."""

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
AUDIENCE = "models/metrics/_metrics__audience_metrics.yml"
AUDIENCE_MARTS = "models/marts/audience/_audience__models.yml"


UNTESTED_YAML = """
models:
  - name: untested_counts
    config: {contract: {enforced: true}}
    columns:
      - {name: activity_date, data_type: date}
      - {name: item_count, data_type: bigint}
semantic_models:
  - name: untested
    model: ref('untested_counts')
    primary_entity: untested
    defaults: {agg_time_dimension: activity_date}
    dimensions:
      - {name: activity_date, type: time, type_params: {time_granularity: day}}
    measures:
      - {name: untested_item_count, agg: sum, expr: item_count}
metrics:
  - name: untested_items
    label: Untested items
    type: simple
    type_params: {measure: untested_item_count}
    config:
      group: audience
      meta: {owner: audience-data@pgc.example, tier: L2, status: certified,
        direction: higher_is_better, unit: items, format: "0", allowed_dimensions: [],
        parent: watch_hours, relation: sum, last_changed: "2026-11-28"}
"""


def _copy_project(destination: Path) -> Path:
    project = destination / "project"
    keep = ["dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests", "analyses"]
    project.mkdir()
    for name in keep:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("python"))
        elif source.exists():
            shutil.copy(source, project / name)
    return project


def _edit(project: Path, path: str, edit: Callable[[str], str]) -> None:
    file = project / path
    before = file.read_text()
    after = edit(before)
    assert after != before, f"the edit did not change {path}"
    file.write_text(after)


def _metric_block(text: str, metric: str) -> tuple[int, int]:
    """Start and end offsets of one metric's YAML block."""
    start = text.index(f"  - name: {metric}\n")
    following = text.find("\n  - name: ", start + 1)
    return start, len(text) if following == -1 else following


def _in_metric(metric: str, old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        start, end = _metric_block(text, metric)
        block = text[start:end]
        assert old in block, f"{old!r} not in {metric}"
        return text[:start] + block.replace(old, new, 1) + text[end:]

    return edit


def _compile_catalogue(project: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(project),
        "PGC_DUCKDB_PATH": str(project / "scratch.duckdb"),
        "DO_NOT_TRACK": "1",
    }
    return subprocess.run(
        [DBT, "compile", "-s", "metric_catalogue", "--no-partial-parse"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _messages(result: subprocess.CompletedProcess) -> str:
    # Collapse dbt's line wrapping and colour codes so messages match on one line.
    return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)


def test_one_missing_field_fails_and_names_the_metric(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    _edit(project, AUDIENCE, _in_metric("views", "        owner: audience-data@pgc.example\n", ""))
    result = _compile_catalogue(project)
    output = _messages(result)
    assert result.returncode != 0, output
    assert "metric 'views': meta.owner is missing" in output, output
    assert "1 problem(s)" in output, output


def test_every_rule_fails_with_its_own_message(tmp_path: Path) -> None:
    """All rules broken at once: the validation reports every one of them."""
    project = _copy_project(tmp_path)
    audience_edits = [
        # An invalid enum value.
        _in_metric("daily_active_viewers", "tier: L1", "tier: L3"),
        # A null where a value is required, and a missing list.
        _in_metric("likes", "unit: likes", "unit: null"),
        _in_metric(
            "follows",
            "        allowed_dimensions:\n          - viewer_activity__region\n"
            "          - viewer_activity__device\n          - viewer_activity__app_version\n",
            "",
        ),
        # An owner who does not own the metric's group.
        _in_metric("completion_rate", "owner: audience-data@pgc.example", "owner: x@pgc.example"),
        # A dimension that does not exist, and one its semantic model cannot reach.
        _in_metric(
            "daily_active_viewers_wow_change",
            "- viewer_activity__device\n",
            "- viewer_activity__planet\n",
        ),
        _in_metric("daily_active_viewers", "- viewer_activity__device\n", "- content__category\n"),
        # A parent that does not exist, and a ratio link the definitions do not back.
        _in_metric("completed_views", "parent: completion_rate", "parent: no_such_metric"),
        _in_metric("share_rate", "parent: views", "parent: watch_hours"),
        # A certified metric using a deprecated one.
        _in_metric("impressions_per_active_viewer", "status: deprecated", "status: certified"),
        # A second north star.
        _in_metric("watch_hours_per_view", "tier: L1", "tier: north_star"),
    ]
    for edit in audience_edits:
        _edit(project, AUDIENCE, edit)
    _edit(
        project,
        "models/metrics/_metrics__creator_metrics.yml",
        # A certified metric metric_daily cannot compute.
        _in_metric(
            "new_creator_first_post_7d_rate",
            "conversion_measure: {name: posting_creator_count}",
            "conversion_measure: {name: post_count}",
        ),
    )
    # A certified metric over a mart whose contract is no longer enforced.
    _edit(
        project,
        AUDIENCE_MARTS,
        lambda text: text.replace("contract: {enforced: true}", "contract: {enforced: false}", 1),
    )
    # A certified metric over a model with a contract but no tests.
    (project / "models/metrics/untested_counts.sql").write_text(
        "select cast('2026-09-07' as date) as activity_date, cast(1 as bigint) as item_count\n"
    )
    (project / "models/metrics/_untested.yml").write_text(UNTESTED_YAML)
    result = _compile_catalogue(project)
    output = _messages(result)
    assert result.returncode != 0, output
    expected = [
        "metric 'daily_active_viewers': meta.tier is 'L3', not one of north_star, L1, L2, "
        "guardrail",
        "metric 'likes': meta.unit is null",
        "metric 'completion_rate': meta.owner 'x@pgc.example' is not the owner of group "
        "'audience' (audience-data@pgc.example)",
        "metric 'follows': meta.allowed_dimensions is missing",
        "metric 'daily_active_viewers_wow_change': meta.allowed_dimensions has "
        "'viewer_activity__planet', which no semantic model defines",
        "metric 'daily_active_viewers': meta.allowed_dimensions has 'content__category', which "
        "semantic model 'viewer_activity' of measure 'active_viewer_count' cannot reach: "
        "dimension 'content__category' is reached through entity 'content', which semantic "
        "model 'viewer_activity' does not have",
        "metric 'completed_views': meta.parent 'no_such_metric' is not another metric",
        "metric 'share_rate': meta.relation is 'ratio' but neither 'share_rate' nor "
        "'watch_hours' is computed from the other",
        "metric 'impressions_per_active_viewer': meta.status is certified but it uses "
        "deprecated metric 'viewer_impressions'",
        "metric 'new_creator_first_post_7d_rate': meta.status is certified but metric_daily "
        "computes conversion metrics only over a count_distinct conversion measure "
        "(conversion_measure 'post_count')",
        "metric tree: exactly one metric must have tier north_star, found 2",
        "metric 'follows': meta.status is certified but upstream model "
        "'fct_viewer_daily' has no enforced contract",
        "metric 'untested_items': meta.status is certified but upstream model "
        "'untested_counts' has no tests",
    ]
    missing = [message for message in expected if message not in output]
    assert not missing, f"missing messages {missing} in:\n{output}"


def test_the_guardrail_tag_is_a_boolean_on_a_certified_metric(tmp_path: Path) -> None:
    """meta.guardrail (experiment readouts watch the metric) must be true or false, and only
    a certified metric may carry it."""
    project = _copy_project(tmp_path)
    _edit(project, AUDIENCE, _in_metric("completion_rate", "guardrail: true", "guardrail: always"))
    _edit(
        project,
        AUDIENCE,
        _in_metric(
            "impressions_per_active_viewer",
            "direction: higher_is_better\n",
            "direction: higher_is_better\n        guardrail: true\n",
        ),
    )
    result = _compile_catalogue(project)
    output = _messages(result)
    assert result.returncode != 0, output
    assert "metric 'completion_rate': meta.guardrail must be true or false" in output, output
    assert (
        "metric 'impressions_per_active_viewer': meta.guardrail is true but meta.status is not "
        "certified" in output
    ), output
