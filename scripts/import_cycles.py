"""Print the import circles among ledgerbridge's modules: ``python scripts/import_cycles.py [--verbose]``.

An import is an edge whether it sits at the top of a module or inside a function (a lazy import hides a circle;
it does not remove it); only imports under ``if TYPE_CHECKING:`` are left out, as they never run. The circles are
the strongly connected components of that graph with more than one module (Tarjan's algorithm). Exits 1 when
there is any, so CI can run it; ``tests/architecture`` asserts the same.

Written by hand (about 80 lines, standard library only): the tools that draw import graphs (pydeps, grimp,
import-linter) either need Graphviz, count lazy imports differently, or bring a configuration language of their
own for what is one question here.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "ledgerbridge"


def module_files(root: Path = ROOT, package: str = PACKAGE) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (packages by their ``__init__``)."""
    out: dict[str, Path] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The longest known module that ``name`` is, or is inside of (``a.b.func`` -> ``a.b``)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]

        def visit(node: ast.AST, module: str = module, package: str = package) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and _type_checking_only(child):
                    for orelse in child.orelse:
                        visit(orelse)
                    continue
                targets: list[str] = []
                if isinstance(child, ast.Import):
                    targets = [alias.name for alias in child.names]
                elif isinstance(child, ast.ImportFrom):
                    base = child.module or ""
                    if child.level:
                        parent = package.split(".")[: len(package.split(".")) - child.level + 1]
                        base = ".".join(parent + ([base] if base else []))
                    targets = [f"{base}.{alias.name}" for alias in child.names]
                for target in targets:
                    known = _known(target, modules)
                    if known and known != module:
                        graph[module].add(known)
                visit(child)

        visit(ast.parse(path.read_text(), str(path)))
    return graph


def circles(graph: dict[str, set[str]], nodes: list[str]) -> list[list[str]]:
    """Strongly connected components of more than one module (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
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


def main(argv: list[str]) -> int:
    modules = module_files()
    found = circles(import_graph(modules), sorted(modules))
    print(f"{len(found)} import circle(s) among {len(modules)} modules (type-only imports left out)")
    if "--verbose" in argv or found:
        for component in found:
            print(f"  {len(component)} modules: {' -> '.join(component)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
