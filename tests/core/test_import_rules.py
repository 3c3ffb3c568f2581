"""Import rules, read from the source with ``ast`` (no import, no Django).

1. No import inside a function or a class body unless a comment says why: on its line
   (``# noqa: PLC0415 - <why>``, what ruff's PLC0415 asks for) or in the comment lines just
   above it. This holds even if someone switches the ruff rule off. Migrations are left out,
   as they are for ruff (generated code).
2. Between the apps (the first-level packages of ``civiquest``), counting every import
   statement, those inside functions and those of migrations and management commands
   included: no app reaches itself again through the others, and ``core`` imports no other
   app. Only the imports under ``if TYPE_CHECKING:`` are left out: they never run.

The layers themselves (which app may import which) are import-linter's contract, in
pyproject.toml; this test does not need it.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "civiquest"
# A reason is a few words: the rule's code alone, or "- lazy", says nothing.
MIN_REASON_WORDS = 3
NOQA = re.compile(r"#\s*noqa\b(?::\s*[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)?", re.IGNORECASE)


@dataclass(frozen=True)
class Import:
    path: str
    module: str
    line: int
    end_line: int
    statement: str
    # Absolute names of what is imported (a module, or the package the names come from).
    targets: tuple[str, ...]
    nested: bool
    type_checking: bool

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.statement}"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> tuple[str, ...]:
    if isinstance(node, ast.Import):
        return tuple(alias.name for alias in node.names)
    base = node.module or ""
    if node.level:
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - (node.level - 1)]
        base = ".".join([*parts, base] if base else parts)
    if base == PACKAGE:
        # "from civiquest import core": the names are the apps.
        return tuple(f"{PACKAGE}.{alias.name}" for alias in node.names)
    return (base,)


def imports_in(source: str, *, path: str, module: str, is_package: bool = False) -> list[Import]:
    """Every import statement of ``source``, whether nested in a function or class, and under TYPE_CHECKING."""
    lines = source.splitlines()
    found: list[Import] = []

    def visit(node: ast.AST, nested: bool, type_checking: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.body:
                visit(statement, nested, True)
            for statement in node.orelse:
                visit(statement, nested, type_checking)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(
                Import(
                    path=path,
                    module=module,
                    line=node.lineno,
                    end_line=node.end_lineno or node.lineno,
                    statement=lines[node.lineno - 1].strip(),
                    targets=_targets(node, module, is_package),
                    nested=nested,
                    type_checking=type_checking,
                )
            )
            return
        inner = nested or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef)
        for child in ast.iter_child_nodes(node):
            visit(child, inner, type_checking)

    visit(ast.parse(source, filename=path), False, False)
    return found


def comments_in(source: str) -> dict[int, str]:
    """The comment of each line that has one."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {token.start[0]: token.string for token in tokens if token.type == tokenize.COMMENT}


def says_why(comment: str) -> bool:
    reason = NOQA.sub(" ", comment).lstrip("#").strip(" -–—:;,.")
    return len(re.findall(r"\w+", reason)) >= MIN_REASON_WORDS


def unexplained(source: str, imports: Iterable[Import]) -> list[Import]:
    """The nested imports with no reason on their lines nor in the comment lines just above."""
    comments = comments_in(source)
    lines = source.splitlines()
    missing = []
    for found in imports:
        if not found.nested:
            continue
        texts = [comments[line] for line in range(found.line, found.end_line + 1) if line in comments]
        above = found.line - 1
        block: list[str] = []
        while above >= 1 and lines[above - 1].lstrip().startswith("#"):
            block.insert(0, comments[above])
            above -= 1
        if block:
            texts.append(" ".join(block))
        if not any(says_why(text) for text in texts):
            missing.append(found)
    return missing


def sources() -> Iterator[tuple[Path, str]]:
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        relative = path.relative_to(ROOT)
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield path, ".".join(parts)


def app_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == PACKAGE and len(parts) > 1 else None


def app_graph(imports: Iterable[Import]) -> dict[tuple[str, str], list[Import]]:
    """``{(app, other app): [the imports from one to the other]}``, TYPE_CHECKING imports left out."""
    edges: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for found in imports:
        if found.type_checking:
            continue
        source = app_of(found.module)
        for target in {app_of(name) for name in found.targets}:
            if source and target and target != source:
                edges[(source, target)].append(found)
    return edges


def cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The groups of apps that reach each other (strongly connected components of more than one)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
        graph.setdefault(target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def connect(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        for other in sorted(graph[app]):
            if other not in index:
                connect(other)
                low[app] = min(low[app], low[other])
            elif other in stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == app:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for app in sorted(graph):
        if app not in index:
            connect(app)
    return groups


def project_imports() -> tuple[list[Import], list[Import]]:
    """Every import of the project, and the nested ones that do not say why (migrations aside)."""
    everything: list[Import] = []
    missing: list[Import] = []
    for path, module in sources():
        source = path.read_text(encoding="utf-8")
        relative = path.relative_to(ROOT).as_posix()
        found = imports_in(source, path=relative, module=module, is_package=path.name == "__init__.py")
        everything.extend(found)
        if "migrations" not in path.parts:
            missing.extend(unexplained(source, found))
    return everything, missing


# --- The project ------------------------------------------------------------------------------


def test_an_import_inside_a_function_says_why():
    _everything, missing = project_imports()
    assert not missing, (
        "Move these imports to the top of their module, or say why they cannot be there "
        "(`# noqa: PLC0415 - <why>` on the line, or a comment just above):\n"
        + "\n".join(f"  {found}" for found in missing)
    )


def shortest_cycle(edges: Iterable[tuple[str, str]], app: str) -> list[str] | None:
    """The shortest way from ``app`` back to itself: ``[app, …, app]``, or None."""
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    previous: dict[str, str] = {}
    queue = [app]
    while queue:
        current = queue.pop(0)
        for other in sorted(graph[current]):
            if other == app:
                path = [current]
                while path[-1] != app:
                    path.append(previous[path[-1]])
                return [*reversed(path), app]
            if other not in previous:
                previous[other] = current
                queue.append(other)
    return None


def test_no_cycle_between_apps():
    everything, _missing = project_imports()
    edges = app_graph(everything)
    groups = cycles(edges)
    report = []
    for group in groups:
        report.append(f"Apps reaching each other: {', '.join(group)}. The shortest cycles, and their imports:")
        shown: set[tuple[str, ...]] = set()
        for app in group:
            path = shortest_cycle(edges, app)
            assert path is not None
            turn = path.index(min(path[:-1]))
            key = tuple(path[turn:-1] + path[:turn])
            if key in shown:
                continue
            shown.add(key)
            report.append("  " + " -> ".join(path))
            for source, target in zip(path, path[1:], strict=False):
                found = edges[(source, target)]
                more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
                report.append(f"    {source} -> {target}{more}:")
                report.extend(f"      {one}" for one in found[:3])
    assert not groups, "\n".join(report)


def test_core_imports_no_other_app():
    everything, _missing = project_imports()
    offending = [
        found for (source, _target), imports in app_graph(everything).items() if source == "core" for found in imports
    ]
    assert not offending, "core imports other apps:\n" + "\n".join(f"  {found}" for found in offending)


def test_the_graph_counts_nested_imports():
    """The graph reads the whole project: the apps it knows, and edges only imports inside functions make."""
    everything, _missing = project_imports()
    edges = app_graph(everything)
    apps = {source for source, _target in edges} | {target for _source, target in edges}
    assert {"core", "accounts", "catalogue", "quests", "www"} <= apps
    assert any(found.nested for imports in edges.values() for found in imports)


# --- The checker itself ------------------------------------------------------------------------


def _nested_unexplained(source: str) -> list[int]:
    found = imports_in(source, path="civiquest/demo/module.py", module="civiquest.demo.module")
    return [one.line for one in unexplained(source, found)]


def test_the_checker_wants_a_reason_for_a_nested_import():
    source = (
        "import os\n"  # 1: top level
        "def a():\n"
        "    import json\n"  # 3: no comment
        "def b():\n"
        "    import json  # noqa: PLC0415\n"  # 5: a code, no reason
        "def c():\n"
        "    import json  # noqa: PLC0415 - lazy\n"  # 7: one word is no reason
        "def d():\n"
        "    import json  # noqa: PLC0415 - the tasks module imports this one\n"  # 9
        "def e():\n"
        "    # The tasks module imports this one:\n"
        "    # imported here.\n"
        "    import json\n"  # 13: the comment block above says why
        "def f():\n"
        "    import csv  # noqa: PLC0415 - the tasks module imports this one\n"
        "    import json\n"  # 16: the line above is code, not a comment
        "class G:\n"
        "    from json import dumps\n"  # 18: a class body counts too
        "def h():\n"
        "    from civiquest.core import (  # noqa: PLC0415 - the tasks module imports this one\n"
        "        models,\n"
        "    )\n"  # 20: the reason on the statement's first line
    )
    assert _nested_unexplained(source) == [3, 5, 7, 16, 18]


def test_the_graph_leaves_out_only_type_checking_imports():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from civiquest.core.text import search_key\n"
        "from civiquest import quests\n"
        "if TYPE_CHECKING:\n"
        "    from civiquest.progress.models import XpEntry\n"
        "else:\n"
        "    import civiquest.social.models\n"
        "def f():\n"
        "    from civiquest.notifications.services import notify  # noqa: PLC0415 - notifications imports this\n"
        "    from civiquest.catalogue import models  # noqa: PLC0415 - same app, no edge\n"
    )
    found = imports_in(source, path="civiquest/catalogue/x.py", module="civiquest.catalogue.x")
    assert sorted(app_graph(found)) == [
        ("catalogue", "core"),
        ("catalogue", "notifications"),
        ("catalogue", "quests"),
        ("catalogue", "social"),
    ]


def test_relative_imports_are_resolved():
    found = imports_in("from ..core import text\n", path="civiquest/www/x.py", module="civiquest.www.x")
    assert found[0].targets == ("civiquest.core",)
    found = imports_in(
        "from . import views\n", path="civiquest/www/__init__.py", module="civiquest.www", is_package=True
    )
    assert found[0].targets == ("civiquest.www",)


def test_cycles_are_found_through_several_apps():
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "d"), ("f", "a")]
    assert sorted(cycles(edges)) == [["a", "b", "c"], ["d", "e"]]
    assert cycles([("a", "b"), ("b", "c"), ("a", "c")]) == []
    assert shortest_cycle(edges, "a") == ["a", "b", "c", "a"]
    assert shortest_cycle(edges, "f") is None
