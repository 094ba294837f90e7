"""The import contracts of python_checks' layers (pyproject.toml, `lint-imports`) hold on the
code as it is and fail, naming both modules, on a planted wrong-way import."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.python.conftest import ROOT

ROOT_PACKAGES = ("python_checks", "evaluation", "benchmarks", "simulator", "scripts")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The root packages and pyproject.toml in a folder of their own."""
    for package in ROOT_PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=folder,
        env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def plant(folder: Path, module: str, line: str) -> None:
    path = folder / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")


def test_the_code_keeps_every_contract(project_copy):
    result = lint_imports(project_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract", "named"),
    [
        (
            "python_checks.stats.robust",
            "from python_checks.warehouse import connection",
            "Layers",
            "python_checks.stats.robust -> python_checks.warehouse.connection",
        ),
        (
            "python_checks.diagnosis.slices",
            "from python_checks.monitoring import check_results",
            "Layers",
            "python_checks.diagnosis.slices -> python_checks.monitoring.check_results",
        ),
        (
            "python_checks.diagnosis.driver_tree",
            "import duckdb",
            "Only the warehouse layer opens DuckDB",
            "python_checks.diagnosis.driver_tree -> duckdb",
        ),
        (
            "python_checks.monitoring.anomalies",
            "from evaluation import truth_names",
            "The product never imports evaluation",
            "python_checks.monitoring.anomalies -> evaluation.truth_names",
        ),
    ],
)
def test_a_wrong_way_import_breaks_a_contract_naming_both_modules(
    project_copy, module, line, contract, named
):
    plant(project_copy, module, line)
    result = lint_imports(project_copy)
    assert result.returncode == 1
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in broken and named in broken
