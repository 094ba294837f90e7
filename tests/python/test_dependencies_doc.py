"""docs/dependencies.md is what scripts/dependency_licenses.py writes from the lock and
the installed packages' metadata: a pin or a license that changed without the page being
refreshed fails here."""

from packaging.utils import canonicalize_name

from scripts.dependency_licenses import BI_HEADING, pinned_versions, render
from tests.python.conftest import ROOT

PAGE = ROOT / "docs" / "dependencies.md"


def test_the_page_is_current():
    assert PAGE.read_text() == render(ROOT / "requirements.in", ROOT / "requirements.lock"), (
        "refresh: .venv/bin/python -m scripts.dependency_licenses > docs/dependencies.md"
    )


def test_every_pinned_package_is_listed_once_with_its_version():
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in PAGE.read_text().split(BI_HEADING)[0].splitlines()
        if line.startswith("| ") and not line.startswith("| package ")
    ]
    listed = [(canonicalize_name(package), version) for package, version, *_ in rows]
    assert len(listed) == len(dict(listed))
    assert dict(listed) == pinned_versions(ROOT / "requirements.lock")
    assert ["dbt-core", "1.11.16", "Apache-2.0", "requirements.in"] in rows


def test_the_bi_environment_is_listed_with_licenses():
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in PAGE.read_text().split(BI_HEADING)[1].splitlines()
        if line.startswith("| ") and not line.startswith("| package ")
    ]
    assert {name: version for name, version, _ in rows} == pinned_versions(
        ROOT / "requirements-bi.lock"
    )
    assert ["apache-superset", "6.1.0", "Apache License"] in rows
    assert not [row for row in rows if row[2].startswith("refresh")]
