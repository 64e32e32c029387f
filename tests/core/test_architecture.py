"""The house rules, checked on the real import graph (every import, inside functions too).

import-linter (``make test`` runs ``lint-imports``) enforces the layers; these tests state
the rules behind it so a failure says which edge broke which rule.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
LAYERS_CONTRACT = CONFIG["contracts"][0]
# The declared upward conveniences, and no others (docs/architecture.md, "The rules").
ALLOWED = {
    ("trustly_nb.client", "trustly_nb.bulk"),
    ("trustly_nb.client", "trustly_nb.widgets"),
    ("trustly_nb.client", "trustly_nb.frames"),
    ("trustly_nb.models", "trustly_nb.frames"),
    ("trustly_nb.emulator", "trustly_nb.client"),
}


def _layer_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("trustly_nb", exclude_type_checking_imports=True)


def _edges(graph: grimp.ImportGraph) -> set[tuple[str, str]]:
    edges = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            if imported.startswith("trustly_nb"):
                edges.add((importer, imported))
    return edges


def _declared(importer: str, imported: str) -> bool:
    for line in LAYERS_CONTRACT["ignore_imports"]:
        source, _, target = (part.strip() for part in line.partition("->"))
        if importer == source and (imported == target or imported.startswith(target + ".")):
            return True
    return False


def test_the_contract_declares_only_the_five_conveniences():
    """At most eight ignore_imports lines, and they join exactly the five module pairs."""
    lines = LAYERS_CONTRACT["ignore_imports"]
    assert len(lines) <= 8
    pairs = {
        (_layer_of(source.strip()), _layer_of(target.strip()))
        for source, _, target in (line.partition("->") for line in lines)
    }
    assert pairs == ALLOWED


def test_no_cycle_once_the_declared_conveniences_are_set_aside(graph):
    """Between layers (folders and core modules), imports only go one way."""
    layer_edges = {
        (_layer_of(a), _layer_of(b))
        for a, b in _edges(graph)
        if _layer_of(a) != _layer_of(b) and not _declared(a, b)
        and _layer_of(a) != "trustly_nb"  # the package root hands out the public names
    }  # fmt: skip
    seen: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for a, b in sorted(layer_edges):
            if a != node:
                continue
            assert seen.get(b) != 1, f"import cycle: {' -> '.join([*path, b])}"
            if b not in seen:
                visit(b, [*path, b])
        seen[node] = 2

    for start in sorted({a for a, _ in layer_edges}):
        if start not in seen:
            visit(start, [start])


def test_every_upward_edge_is_declared(graph):
    """A lower layer imports a higher one only through a declared convenience."""
    order: dict[str, int] = {}
    for rank, layer in enumerate(reversed(LAYERS_CONTRACT["layers"])):
        for name in layer.split("|"):
            order[name.strip()] = rank
    upward = sorted(
        (a, b)
        for a, b in _edges(graph)
        if _layer_of(a) in order and _layer_of(b) in order
        and order[_layer_of(a)] < order[_layer_of(b)] and not _declared(a, b)
    )  # fmt: skip
    assert upward == []


def test_no_module_imports_a_private_name_of_another_folder(graph):
    """An underscore module is imported only from inside its own folder."""
    leaks = sorted(
        (a, b)
        for a, b in _edges(graph)
        if any(part.startswith("_") and part != "__init__" for part in b.split(".")[1:])
        and b.rsplit(".", 1)[0] != a.rsplit(".", 1)[0]
        and b.rsplit(".", 1)[0] != a  # a folder's __init__ re-exporting its own modules
    )  # fmt: skip
    assert leaks == []


def test_modules_stay_small():
    """No module of the package is over 400 lines (one concern each)."""
    big = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / "trustly_nb").rglob("*.py")
        if (n := len(path.read_text().splitlines())) > 400
    }
    assert big == {}


def test_every_part_of_the_package_has_a_layer(graph):
    """A new module or folder cannot sit outside the contract, unchecked."""
    named = {name.strip() for layer in LAYERS_CONTRACT["layers"] for name in layer.split("|")}
    parts = {_layer_of(module) for module in graph.modules} - {"trustly_nb"}
    assert sorted(parts - named) == []
