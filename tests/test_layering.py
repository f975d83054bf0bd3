"""The package's layers, read from its sources with ``ast`` (nothing is imported or installed).

- No stage module imports another stage: what two stages share lives outside ``stages/``
  (``products.py``, ``views.py``, ``pagemap.py``, ``filters.py``). ``stages/__init__.py`` may
  import stages only to re-export them (a body of imports alone).
- The state, the model and the shared modules import no stage at all.
- The import graph of ``pica_publish`` has no cycle.

Which imports count: the two stage rules look at every import in a module, wherever it stands
(a function-local import of another stage is still a dependency between stages). The cycle check
follows the imports that run when a module is imported, or that the type checker follows: those
at module level, including ``if TYPE_CHECKING:`` blocks, ``try:`` blocks and class bodies. It
leaves out imports inside functions: they run only when the function is called (WeasyPrint is
imported that way so that ``check`` never loads it), after every module has finished importing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pica_publish"
STAGES = "pica_publish.stages"
NO_STAGE_IMPORTS = (
    "pica_publish.state",
    "pica_publish.model",
    "pica_publish.products",
    "pica_publish.views",
    "pica_publish.pagemap",
)
"""Modules that must not import any stage (the stages import them)."""


@dataclass(frozen=True)
class Import:
    target: str
    """The imported module, resolved to a module of the package when it is one."""
    line: int
    function_local: bool
    """Inside a function body (runs when the function is called, not at import)."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _walk(node: ast.AST, in_function: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    for child in ast.iter_child_nodes(node):
        yield child, in_function
        nested = in_function or isinstance(
            child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
        )
        yield from _walk(child, nested)


def imports_of(name: str, path: Path, modules: Mapping[str, Path]) -> list[Import]:
    """Every import statement of a module, with the package modules it names."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    is_package = path.name == "__init__.py"
    found = []
    for node, local in _walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package, one level up per dot
                package = name.split(".") if is_package else name.split(".")[:-1]
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [base]
            # `from package import module` imports that module too
            targets += [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules]
        found += [Import(t, node.lineno, local) for t in targets]
    return found


def import_graph(*, function_local: bool) -> dict[str, dict[str, int]]:
    """Package module → package modules it imports → the line of the first such import."""
    modules = package_modules()
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        edges: dict[str, int] = {}
        for found in imports_of(name, path, modules):
            if found.target in modules and (function_local or not found.function_local):
                edges.setdefault(found.target, found.line)
        graph[name] = edges
    return graph


def find_cycles(graph: Mapping[str, Mapping[str, object]]) -> list[list[str]]:
    """One cycle (its first module repeated at the end) for every strongly connected group of
    modules, found with Tarjan's algorithm; [] when the graph is acyclic."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, {})):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, {}):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_cycle_in(group, graph) for group in sorted(groups)]


def _cycle_in(group: list[str], graph: Mapping[str, Mapping[str, object]]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph.get(node, {})):
            if target == start:
                return [*paths[node], start]
            if target in members and target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"no cycle through {start}")  # a group always has one


def describe(cycle: list[str], graph: Mapping[str, Mapping[str, int]]) -> str:
    steps = [f"{a} (line {graph[a][b]}) -> {b}" for a, b in pairwise(cycle)]
    return "\n  ".join(steps)


def is_stage(name: str) -> bool:
    return name.startswith(f"{STAGES}.")


# The rules ---------------------------------------------------------------------------------------


def test_the_package_has_the_modules_the_rules_name():
    modules = package_modules()
    for name in NO_STAGE_IMPORTS:
        assert name in modules, name
    assert sum(is_stage(name) for name in modules) >= 8


def test_no_stage_imports_another_stage():
    modules = package_modules()
    problems = []
    for name, path in modules.items():
        if not is_stage(name):
            continue
        for found in imports_of(name, path, modules):
            if found.target != name and (is_stage(found.target) or found.target == STAGES):
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{found.line}: {found.target}")
    assert not problems, "a stage imports another stage:\n" + "\n".join(problems)


def test_the_stages_package_only_re_exports():
    """``stages/__init__.py`` may import the stages, but only to re-export them."""
    tree = ast.parse((PACKAGE / "stages" / "__init__.py").read_text("utf-8"))
    body = list(tree.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    for node in body:
        is_all = isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == [
            "__all__"
        ]
        assert isinstance(node, ast.Import | ast.ImportFrom) or is_all, ast.unparse(node)


@pytest.mark.parametrize("name", NO_STAGE_IMPORTS)
def test_state_model_and_shared_modules_import_no_stage(name: str):
    modules = package_modules()
    stages = [
        f"line {found.line}: {found.target}"
        for found in imports_of(name, modules[name], modules)
        if is_stage(found.target) or found.target == STAGES
    ]
    assert not stages, f"{name} imports a stage:\n" + "\n".join(stages)


def test_the_import_graph_has_no_cycle():
    graph = import_graph(function_local=False)
    cycles = find_cycles(graph)
    assert not cycles, "import cycles (module-level and TYPE_CHECKING imports):\n  " + (
        "\n  ".join(describe(cycle, graph) for cycle in cycles)
    )


# The checker itself ------------------------------------------------------------------------------


def test_find_cycles_names_each_cycle():
    graph = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3, "d": 4}, "d": {}, "e": {"e": 5}}
    assert find_cycles(graph) == [["a", "b", "c", "a"], ["e", "e"]]
    assert describe(["a", "b", "c", "a"], graph) == (
        "a (line 1) -> b\n  b (line 2) -> c\n  c (line 3) -> a"
    )
    assert find_cycles({"a": {"b": 1}, "b": {}}) == []


def test_imports_are_resolved_and_function_local_ones_marked(tmp_path: Path):
    source = tmp_path / "mod.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from pica_publish import rules\n"
        "from . import state\n"
        "if TYPE_CHECKING:\n"
        "    from pica_publish.stages.convert import convert\n"
        "def f():\n"
        "    from pica_publish.layout import LayoutError\n",
        "utf-8",
    )
    modules = package_modules()
    found = {(i.target, i.function_local) for i in imports_of("pica_publish.x", source, modules)}
    assert ("pica_publish.rules", False) in found
    assert ("pica_publish.state", False) in found
    assert ("pica_publish.stages.convert", False) in found
    assert ("pica_publish.layout", True) in found
