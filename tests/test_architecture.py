"""The import rules of docs/architecture.md hold, and the check that enforces them would catch a
forbidden import (exports importing a service, a service importing a page, a model importing a
service)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hub import pages

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_tree_keeps_every_import_rule():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.split("Contracts:")[-1].replace("0 broken", "")


@pytest.fixture
def copy_of_the_tree(tmp_path: Path) -> Path:
    """The Python sources and pyproject.toml, to break on purpose."""
    for package in ("hub", "forms", "exports"):
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("templates", "static", "translations", "__pycache__"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("module", "forbidden_import", "contract"),
    [
        ("exports/tables.py", "import hub.services.responses", "exports reads and renders"),
        ("exports/tables.py", "import hub.staff.views", "exports reads and renders"),
        ("hub/services/rounds.py", "import hub.web.editing", "services import no page"),
        ("hub/models/survey.py", "import hub.services.audit", "models import no service"),
        ("hub/api/rounds.py", "import hub.respond.views", "the API imports no page module"),
    ],
)
def test_a_forbidden_import_breaks_the_check(
    copy_of_the_tree: Path, module: str, forbidden_import: str, contract: str
):
    path = copy_of_the_tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{forbidden_import}\n", "utf-8")
    result = lint_imports(copy_of_the_tree)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts")[-1]
    assert contract in broken, result.stdout


def test_every_page_area_is_under_the_rules():
    """A new area must be named in the contracts, or the rules would not see it."""
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for area in pages.AREAS:
        assert f'"{area.__name__}"' in config, f"add {area.__name__} to [tool.importlinter]"
