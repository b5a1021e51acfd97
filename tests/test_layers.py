"""The package's layers: folders whose modules import only downward, and no import cycle.

core → models → store → domain → checks → web | demo → services → cli (ARCHITECTURE.md).
Imports under ``if TYPE_CHECKING:`` are for type hints only and never run, so they don't count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "generator" / "baodan"
RANK = {
    "core": 0,
    "models": 1,
    "store": 2,
    "domain": 3,
    "checks": 4,
    "web": 5,
    "demo": 5,
    "services": 6,
    "cli": 7,
}


def _module_name(path: Path) -> str:
    parts = ["baodan", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    """Absolute names of the baodan modules (or their attributes) a module imports when run."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.update({target, *(f"{target}.{a.name}" for a in node.names)})
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        imports = _runtime_imports(
            ast.parse(path.read_text("utf-8")), name, path.stem == "__init__"
        )
        graph[name] = {m for m in imports if m in files and m != name}
    return graph


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in RANK else None


GRAPH = _graph()


def test_the_graph_is_read():
    assert len(GRAPH) > 60
    assert "baodan.store.vault" in GRAPH["baodan.store.loader"]  # a known edge is seen


@pytest.mark.parametrize("layer", sorted(RANK))
def test_a_layer_imports_only_layers_below_it(layer):
    upward = [
        f"{a} → {b}"
        for a, targets in GRAPH.items()
        if _layer(a) == layer
        for b in targets
        if _layer(b) is not None and _layer(b) != layer and RANK[_layer(b)] >= RANK[layer]
    ]
    assert not upward, "imports that go up or sideways:\n" + "\n".join(sorted(upward))


def test_no_import_cycle():
    seen: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []

    def walk(node: str, path: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(GRAPH[node]):
            if seen.get(nxt) == 1:
                cycles.append(" → ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in seen:
                walk(nxt, [*path, nxt])
        seen[node] = 2

    for start in sorted(GRAPH):
        if start not in seen:
            walk(start, [start])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_only_the_store_imports_the_vault():
    """Keys and ciphertext stay in store/: the rest asks a Workspace to read and write."""
    outside = [
        module
        for module, targets in GRAPH.items()
        if _layer(module) != "store"
        and any(t == "baodan.store.vault" or t.startswith("baodan.store.vault.") for t in targets)
    ]
    assert not outside, "modules outside store/ that import the vault: " + ", ".join(outside)
