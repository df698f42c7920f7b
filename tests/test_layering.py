"""The layering of docs/architecture.md, checked on the source: who may import whom, no cycles.

Every import statement counts, wherever it sits (module top, function body, TYPE_CHECKING
block): an import deferred to dodge a cycle is still a cycle. The graph is built from the AST
of every module of the apps, so the check needs no import to run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
APPS = ("ingest", "service", "ui", "eval", "bench")
PACKAGES = ("core", *APPS)
# What the UI may use of core: the HTTP contract, the shapes it carries and the one HTTP
# client package (shared with the ingest CLI).
UI_CORE = ("core.api", "core.client", "core.evalreport", "core.schema")
# May import each app (besides core, which every app may import). service → ingest: the
# embedded index has one owner process, so the service runs ingestion jobs itself. eval →
# ingest: eval corpora are indexed by the product's own ingestion. bench measures ingestion
# and the service with their own limits. Nothing imports bench.
ALLOWED = {
    "core": set(),
    "ingest": set(),
    "service": {"ingest"},
    "ui": set(),
    "eval": {"ingest"},
    "bench": {"ingest", "service"},
}
# The composition root: the one module of service/ that hands the eval suite to the app.
COMPOSITION_ROOT = "service.__main__"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of core and the apps: dotted name → file."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _targets(name: str, path: Path) -> Iterator[str]:
    """The dotted names each import statement of a module reaches."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield f"{base}.{alias.name}"  # a submodule, or a name in `base`
            yield base


def _resolve(target: str) -> str | None:
    """The repository module a dotted name lands in (the longest known prefix), if any."""
    known = modules()
    parts = target.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None


@cache
def graph() -> dict[str, frozenset[str]]:
    """Module → the repository modules it imports."""
    out: dict[str, frozenset[str]] = {}
    for name, path in modules().items():
        resolved = {_resolve(t) for t in _targets(name, path)}
        out[name] = frozenset(r for r in resolved if r is not None and r != name)
    return out


def strongly_connected(edges: dict[str, frozenset[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module (the cycles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _package(module: str) -> str:
    return module.split(".")[0]


def _violations(rule: str) -> list[str]:
    out = []
    for module, imported in graph().items():
        for target in sorted(imported):
            if _breaks(rule, module, target):
                out.append(f"{module} imports {target}")
    return out


def _breaks(rule: str, module: str, target: str) -> bool:
    source, dest = _package(module), _package(target)
    if rule == "apps" and source != dest and dest != "core":
        return dest not in ALLOWED[source] and not (module == COMPOSITION_ROOT and dest == "eval")
    if rule == "ui" and source == "ui" and dest == "core":
        return not any(target == m or target.startswith(f"{m}.") for m in UI_CORE)
    if rule == "service" and source == "service" and dest == "eval":
        return module != COMPOSITION_ROOT
    return False


def test_the_graph_sees_the_known_edges() -> None:
    edges = graph()
    assert "core.answering" in edges["core.assembly"]  # from core.answering import Assistant
    assert "core.db" in edges["service.components"]  # a package, through its __init__
    assert "eval.launcher" in edges["service.__main__"]  # an import inside a function
    assert "core.evalreport" in edges["ui.views.evals"]


def test_the_ui_rule_refuses_the_rest_of_core() -> None:
    assert _breaks("ui", "ui.views.ask", "core.retrieval")
    assert not _breaks("ui", "ui.views.ask", "core.api")


def test_core_imports_no_app() -> None:
    assert [v for v in _violations("apps") if v.startswith("core.")] == []


def test_apps_import_only_core_and_what_they_are_allowed() -> None:
    assert _violations("apps") == []


def test_the_ui_uses_only_the_http_contract_of_core() -> None:
    assert _violations("ui") == []


def test_the_service_does_not_import_the_eval_suite() -> None:
    assert _violations("service") == []


def test_no_import_cycles() -> None:
    assert strongly_connected(graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    edges = {
        "a": frozenset({"b"}),
        "b": frozenset({"c"}),
        "c": frozenset({"a", "d"}),
        "d": frozenset(),
    }
    assert strongly_connected(edges) == [["a", "b", "c"]]
