"""Imports flow one way: ui → services → (store, backends) → domain; the server shares only domain."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "agent_desktop"

ALLOWED = {
    "domain": {"domain"},
    "store": {"domain", "store"},
    "backends": {"domain", "backends"},
    "services": {"domain", "store", "backends", "services", "server"},
    "server": {"domain", "server"},
}
NO_QT = {"domain", "store", "backends", "services", "server"}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    layer_parts = path.relative_to(PACKAGE).parts
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(("agent_desktop", *layer_parts[:-1]))
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.append(module)
    return names


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(layer):
    offences = []
    for path in (PACKAGE / layer).rglob("*.py"):
        for name in _imports(path):
            if name.startswith("agent_desktop."):
                target = name.split(".")[1]
                if target not in ALLOWED[layer] and target != "__init__":
                    offences.append(f"{path.name} imports {name}")
            if layer in NO_QT and name.split(".")[0] in ("PySide6", "qasync"):
                offences.append(f"{path.name} imports {name}")
    assert not offences, offences


def test_ruff_is_clean():
    # ruff comes with the test extra; run it from this interpreter (its venv need not be on PATH).
    done = subprocess.run([sys.executable, "-m", "ruff", "check", str(PACKAGE.parent / "agent_desktop"), str(PACKAGE.parent / "tests"),
                           str(PACKAGE.parent / "main.py")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:]
