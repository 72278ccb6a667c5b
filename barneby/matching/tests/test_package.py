"""The package's shape: no import circle between its modules, and no module takes another's private names.

Read from the source with :mod:`ast`, so imports inside functions count too;
imports under ``if TYPE_CHECKING:`` do not (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "barneby.matching"
ROOT = Path(__file__).resolve().parent.parent


def _modules() -> dict[str, Path]:
    """Every module of the package but its tests, by dotted name."""
    found: dict[str, Path] = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[0] == "tests":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((PACKAGE, *parts))] = path
    return found


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST) -> list[tuple[str, list[str]]]:
    """(module, names) for every import that runs, wherever it is in the file."""
    found: list[tuple[str, list[str]]] = []

    def visit(node: ast.AST) -> None:
        if _type_checking_only(node):
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _graph() -> tuple[dict[str, set[str]], list[str]]:
    """Edges between the package's modules, and every private name imported across modules."""
    modules = _modules()
    edges: dict[str, set[str]] = {name: set() for name in modules}
    private: list[str] = []
    for name, path in modules.items():
        for module, names in _imports(ast.parse(path.read_text(), filename=str(path))):
            if not module.startswith(PACKAGE):
                continue
            targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in modules] or [module]
            for target in targets:
                # The package itself runs first on any import of it: that is not an edge of ours.
                if target != name and target != PACKAGE and target in modules:
                    edges[name].add(target)
            private.extend(f"{name} imports {module}.{n}" for n in names if n.startswith("_"))
    return edges, private


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle, if there is any."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_package_has_no_import_circle() -> None:
    edges, _private = _graph()
    assert len(edges) > 10  # the walk found the package
    assert _cycle(edges) is None


def test_no_module_imports_another_modules_private_names() -> None:
    _edges, private = _graph()
    assert private == []


def test_the_checks_see_a_circle_and_a_private_import() -> None:
    # The checks themselves must be able to fail.
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
    source = "def f():\n    from barneby.matching.rules import _hidden\n"
    assert _imports(ast.parse(source)) == [("barneby.matching.rules", ["_hidden"])]
    guarded = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from barneby.matching.problem import Reason\n"
    assert ("barneby.matching.problem", ["Reason"]) not in _imports(ast.parse(guarded))


def test_the_models_share_one_builder() -> None:
    """Every model reaches HiGHS through models.builder: no other module creates a HiGHS instance itself."""
    for name, path in _modules().items():
        if name.endswith("models.builder"):
            continue
        assert "highspy.Highs(" not in path.read_text(), name
