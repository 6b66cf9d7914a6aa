"""Imports flow one way: ui → services → (store, backends) → domain; the server shares only domain;
and no module of the package imports itself back through another (no import cycle)."""

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
    "services": {"domain", "store", "backends", "services"},
    "server": {"domain", "server"},
    # The UI receives services (services/session.py builds them) and shows domain values.
    "ui": {"domain", "services", "ui"},
}
NO_QT = {"domain", "store", "backends", "services", "server"}


def _imports(path: Path, *, top_level_only: bool = False) -> list[str]:
    """Absolute names of the modules `path` imports (`from . import x` counts as importing x)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    layer_parts = path.relative_to(PACKAGE).parts
    if path.name == "__init__.py":
        layer_parts = (*layer_parts[:-1], "__init__.py")
    names: list[str] = []
    # `if TYPE_CHECKING:` imports never run: annotations only, not dependencies.
    never_run = {id(inner) for node in ast.walk(tree)
                 if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                 for stmt in node.body for inner in ast.walk(stmt)}
    nodes = _top_level(tree) if top_level_only else ast.walk(tree)
    for node in nodes:
        if id(node) in never_run:
            continue
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
            names += [f"{module}.{alias.name}" for alias in node.names]   # a submodule, when it is one
    return names


def _top_level(tree: ast.Module) -> list[ast.stmt]:
    """Statements run at import time: the module body and its if/try blocks, not functions, and not
    `if TYPE_CHECKING:` (never run)."""
    found: list[ast.stmt] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending += node.orelse
        elif isinstance(node, (ast.If, ast.Try)):
            pending += [*node.body, *node.orelse, *getattr(node, "finalbody", []),
                        *(stmt for handler in getattr(node, "handlers", []) for stmt in handler.body)]
        else:
            found.append(node)
    return found


def _module_name(path: Path) -> str:
    parts = ("agent_desktop", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(*, top_level_only: bool) -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {target for target in _imports(path, top_level_only=top_level_only)
                   if target in modules and target != name}
            for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (as a path that returns to its start), or None."""
    state: dict[str, int] = {}   # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


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


def test_no_import_cycle_at_import_time():
    """A module imported while importing itself half-exists: no cycle among what runs at import."""
    assert find_cycle(import_graph(top_level_only=True)) is None


def test_no_import_cycle_even_through_late_imports():
    """Imports inside functions are still dependencies: the layers above mean none loops back, save
    the one the composition needs (services/features.default_features names the feature modules,
    which import the sync engine that asks it for the defaults)."""
    graph = import_graph(top_level_only=False)
    graph["agent_desktop.services.features"] -= {"agent_desktop.services.core_feature",
                                                 "agent_desktop.services.knowledge",
                                                 "agent_desktop.services.workflow"}
    assert find_cycle(graph) is None


def test_the_cycle_check_can_fail():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
