"""The package's import structure: no import cycles, no private names borrowed across packages.

Read from the source with ``ast`` (nothing is imported): every ``import`` counts, including
those inside functions (a lazy import still ties two modules together) and those under
``if TYPE_CHECKING:`` (two modules that need each other's types are one module split in two).
A package is ``cnplan.<name>`` (a sub-package such as ``cnplan.explore``, or a top-level
module such as ``cnplan.files``). ``migrations/`` (Alembic scripts) are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    _module_name(p): p
    for p in sorted((SRC / "cnplan").rglob("*.py"))
    if "migrations" not in p.parts
}


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str) -> tuple[set[str], list[str]]:
    """The cnplan modules ``module`` imports, and the private names it takes from other packages."""
    tree = ast.parse(MODULES[module].read_text(), filename=str(MODULES[module]))
    targets: set[str] = set()
    private: list[str] = []
    bound: dict[str, str] = {}  # local name -> cnplan module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "cnplan":
                    targets.add(alias.name)
                    if alias.asname:
                        bound[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            if source.split(".")[0] != "cnplan":
                continue
            for alias in node.names:
                full = f"{source}.{alias.name}"
                if full in MODULES:
                    targets.add(full)
                    bound[alias.asname or alias.name] = full
                else:
                    targets.add(source)
                    if _is_private(alias.name) and _package(source) != _package(module):
                        private.append(f"{module}: from {source} import {alias.name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in bound
            and _is_private(node.attr)
            and _package(bound[node.value.id]) != _package(module)
        ):
            private.append(f"{module}: {bound[node.value.id]}.{node.attr}")
    return {t for t in targets if t in MODULES and t != module}, private


GRAPH: dict[str, set[str]] = {}
PRIVATE: list[str] = []
for _name in MODULES:
    GRAPH[_name], _found = _imports(_name)
    PRIVATE.extend(_found)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_checker_sees_the_package():
    assert "cnplan.explore.experiment" in GRAPH
    assert "cnplan.analysis.prim" in GRAPH["cnplan.analysis.cart"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    assert _cycles(GRAPH) == []


def test_no_private_names_imported_across_packages():
    assert PRIVATE == []


def test_explore_does_not_import_analysis():
    """``explore`` runs futures; ``analysis`` reads them. The dependency goes one way only."""
    wrong = {
        (m, t)
        for m, ts in GRAPH.items()
        if _package(m) == "cnplan.explore"
        for t in ts
        if _package(t) == "cnplan.analysis"
    }
    assert wrong == set()
