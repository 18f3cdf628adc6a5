"""The package's shape: no import circle, and the loader is a leaf that nothing imports."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "jupyter_orch"


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Modules of the package a module imports anywhere: at the top, inside functions (lazy)
    and for types only (``TYPE_CHECKING``) alike; each is an arrow between two modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        for sub in [node] if isinstance(node, (ast.Import, ast.ImportFrom)) else []:
            if isinstance(sub, ast.ImportFrom) and sub.level:
                base = here[: len(here) - sub.level + 1]
                target = ".".join([*base, sub.module] if sub.module else base)
                found.add(target)
                found.update(f"{target}.{a.name}" for a in sub.names)
            elif isinstance(sub, ast.ImportFrom) and (sub.module or "").startswith("jupyter_orch"):
                found.add(str(sub.module))
    return found


def _graph() -> dict[str, set[str]]:
    paths = {_module(p): p for p in PACKAGE.rglob("*.py")}
    return {m: {i for i in _imports(p) if i in paths and i != m} for m, p in paths.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_no_module_of_the_package_imports_itself_back_in_a_circle() -> None:
    graph = _graph()
    assert len(graph) > 80
    # A package imports its own submodules in __init__; that is not a circle of concern.
    for name in list(graph):
        graph[name] = {t for t in graph[name] if not name.startswith(f"{t}.")}
    assert _cycle(graph) == []


def test_the_loader_is_a_leaf_only_the_package_root_imports() -> None:
    importers = {m for m, targets in _graph().items() if "jupyter_orch.ipython.loader" in targets}
    assert importers == {"jupyter_orch"}  # inside load_ipython_extension, lazily
