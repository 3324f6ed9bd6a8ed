"""Architecture rules: screens → adapter → backend service → store, nothing else."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UI_FORBIDDEN = ("sqlite3", "httpx", "backend.store", "backend.service", "backend.server", "backend.seed",
                "tui.adapters", "uvicorn", "fastapi")
BACKEND_FORBIDDEN = ("textual", "tui", "screens", "widgets")


def imports_of(path: Path) -> set[str]:
    """Every module name a file imports, at any depth of the file."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in imports_of(path):
            if any(name == bad or name.startswith(bad + ".") for bad in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize("folder", ["screens", "widgets"])
def test_screens_and_widgets_only_use_the_adapter(folder: str) -> None:
    assert offenders(folder, UI_FORBIDDEN) == []


def test_app_does_not_touch_storage_or_http() -> None:
    bad = [o for o in offenders("tui", UI_FORBIDDEN) if not o.startswith(("tui/adapters/", "tui/connect.py",
                                                                           "tui/cli.py"))]
    assert bad == []


def test_backend_never_imports_the_interface() -> None:
    assert offenders("backend", BACKEND_FORBIDDEN) == []


def test_backend_runtime_loads_no_textual() -> None:
    code = "import sys, backend.service, backend.store, backend.desks; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_rule_catches_a_violation(tmp_path: Path) -> None:
    """The checker itself must be able to fail."""
    sample = tmp_path / "x.py"
    sample.write_text("def f():\n    import sqlite3\n    from backend.store import Store\n")
    assert imports_of(sample) == {"sqlite3", "backend.store"}
