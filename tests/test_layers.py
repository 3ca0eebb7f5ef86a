"""The tree's rules, checked on the source: imports run api → workers → ocr_core, no package imports itself
in a circle, ocr_core stays pure recognition, and each layer's errors are raised in that layer."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("api", "workers", "ocr_core")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (where cycles hide too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _graph(package: str) -> dict[str, set[str]]:
    files = {_module(p): p for p in (ROOT / package).rglob("*.py")}
    graph = {}
    for name, path in files.items():
        # A module importing `pkg.sub` depends on `pkg.sub`, not on `pkg` (whose __init__ may re-export).
        graph[name] = {m for m in _imports(path) if m in files and m != name and not name.startswith(m + ".")}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


@pytest.mark.parametrize("package", LAYERS)
def test_no_import_circle_inside_a_package(package):
    assert _cycle(_graph(package)) is None


@pytest.mark.parametrize("package, forbidden", [
    ("ocr_core", ("api", "workers", "flask", "redis", "celery", "kombu", "bench")),
    ("workers", ("api", "flask", "bench")),
    ("api", ("bench",)),
])
def test_imports_run_one_way(package, forbidden):
    for path in (ROOT / package).rglob("*.py"):
        bad = {m for m in _imports(path) if m.split(".")[0] in forbidden}
        assert not bad, (path.relative_to(ROOT), bad)


def test_ocr_core_top_level_holds_only_shared_basics():
    modules = {p.stem for p in (ROOT / "ocr_core").glob("*.py")}
    assert modules <= {"__init__", "errors", "settings", "geometry", "chinese_text"}, modules


@pytest.mark.parametrize("package", LAYERS)
def test_each_layers_errors_are_raised_in_that_layer(package):
    """An error class kept in a layer's errors.py is used in that layer's code (else it belongs to the layer
    that raises it), unless it is only a base of others."""
    errors = ROOT / package / "errors.py"
    tree = ast.parse(errors.read_text())
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    bases = {base.id for node in tree.body if isinstance(node, ast.ClassDef) for base in node.bases
             if isinstance(base, ast.Name)}
    used = {node.id for p in (ROOT / package).rglob("*.py") if p != errors
            for node in ast.walk(ast.parse(p.read_text())) if isinstance(node, ast.Name)}
    used |= {node.attr for p in (ROOT / package).rglob("*.py") if p != errors
             for node in ast.walk(ast.parse(p.read_text())) if isinstance(node, ast.Attribute)}
    assert not classes - bases - used, f"{package}/errors.py holds errors only other layers raise"
