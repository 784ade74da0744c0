"""The layering rules are enforced: import-linter rejects an engine module importing Django."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _write_toml_contracts(target: Path) -> None:
    """Copy the project's own contracts (not a rewritten version) into ``target``."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    linter = config["tool"]["importlinter"]
    lines = [
        "[tool.importlinter]",
        f"root_packages = {linter['root_packages']!r}".replace("'", '"'),
        f"include_external_packages = {str(linter['include_external_packages']).lower()}",
    ]
    for contract in linter["contracts"]:
        lines.append("\n[[tool.importlinter.contracts]]")
        for key, value in contract.items():
            lines.append(f"{key} = {value!r}".replace("'", '"'))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_real_tree_keeps_every_contract(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    _write_toml_contracts(tmp_path / "pyproject.toml")
    result = _lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_engine_module_importing_django_breaks_the_build(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    bad = tmp_path / "src" / "patchdesk" / "engine" / "sneaky.py"
    bad.write_text("from django.db import models\n", encoding="utf-8")
    _write_toml_contracts(tmp_path / "pyproject.toml")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "The engine is pure: no Django, no desk BROKEN" in result.stdout
    assert "patchdesk.engine.sneaky -> django" in result.stdout
