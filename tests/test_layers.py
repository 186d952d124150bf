"""The package's layers (the README's "Layers"): each module
looks only down, and no two modules import each other, counting the imports made inside
functions (which hide a circle from Python but not from a reader)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "malpl"

#: Lowest first. A module may import its own layer and those below it.
LAYERS: list[tuple[str, set[str]]] = [
    ("format", {"errors", "i18n", "indicators", "layout", "yamlsource", "model", "schema",
                "schema_errors", "parsing",
                "problems", "periods", "text", "swedish", "output", "record", "markdown",
                "kolada", "kolada.data", "kolada.ids"}),
    ("sources", {"git", "sources", "files", "confined"}),
    ("repo", {"repository", "checks", "checkcache", "kolada.store", "versions"}),
    ("kolada network", {"kolada.client", "kolada.pull"}),
    ("views", {"views", "measureviews"}),
    ("snapshot", {"snapshot"}),
    ("history", {"diff", "dating", "textconv"}),
    ("render", {"report", "site", "terminal", "charts", "svgchart", "spreadsheets"}),
    ("year", {"lifecycle", "answers"}),
    ("face", {"cli", "commands", "", "__main__"}),
]


def layer_of(module: str) -> int:
    """The layer of ``malpl.x.y``: its own entry, else its package's."""
    name = module.removeprefix("malpl").removeprefix(".")
    for candidate in (name, name.split(".")[0]):
        for rank, (_, members) in enumerate(LAYERS):
            if candidate in members:
                return rank
    raise AssertionError(f"malpl.{name} is in no layer: add it to LAYERS")


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    """Every malpl module ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("malpl")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("malpl"):
            for alias in node.names:  # 'from malpl import git' imports a module
                full = f"{node.module}.{alias.name}"
                if full == "malpl.__version__":
                    continue  # the package's version, a constant at its top: no layer's code
                found.add(full if full in known else node.module)
    return found


GRAPH = {name: imports(path, set(modules())) for name, path in modules().items()}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_each_module_imports_only_its_layer_and_below(module: str) -> None:
    own = layer_of(module)
    upward = [f"{other} ({LAYERS[layer_of(other)][0]})" for other in sorted(GRAPH[module])
              if layer_of(other) > own]
    assert not upward, f"{module} ({LAYERS[own][0]}) imports a higher layer: {upward}"


def test_no_module_reaches_itself_through_its_imports() -> None:
    # A package and its own modules read each other by design (a package exposes its
    # modules; cli reads 'from malpl import __version__'): not a circle between modules.
    edges = {m: {t for t in targets if t in GRAPH and not _nested(t, m)}
             for m, targets in GRAPH.items()}
    for start in GRAPH:
        seen, stack = set(), [(start, [start])]
        while stack:
            current, path = stack.pop()
            for nxt in edges[current]:
                if nxt == start:
                    pytest.fail("an import circle: " + " → ".join([*path, start]))
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))


def _nested(a: str, b: str) -> bool:
    """Is one of the two the other, or a package holding it?"""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def test_the_check_sees_an_upward_import() -> None:
    """Not a test that passes when it checks nothing: a view importing the terminal is
    caught."""
    assert layer_of("malpl.terminal") > layer_of("malpl.views")
    assert layer_of("malpl.kolada.client") > layer_of("malpl.repository")
