"""What the architecture tests read: every module of the runtime package, parsed, and who may name a package.

A package (Xero, QuickBooks Online, ...) lives in one folder, ``ledgerbridge/packages/<kind>/``, and is listed
once, in ``ledgerbridge/packages/registry.py``. Every other module must work for any package: it may say "the
package" in its docstrings and comments, and it may cite a package as an example there, but its code may not
hold a package's kind or name in a string, name a package's module, or branch on a kind.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "ledgerbridge"
PACKAGES_DIR = RUNTIME / "packages"
REGISTRY = PACKAGES_DIR / "registry.py"


def package_kinds() -> list[str]:
    """The kinds that have a folder (and so must be registered): ``xero``, ``qbo``, ..."""
    return sorted(p.name for p in PACKAGES_DIR.iterdir() if p.is_dir() and (p / "__init__.py").exists())


def package_words(kinds: list[str]) -> re.Pattern[str]:
    """A package's kind or its name in words, as a whole word, in any case (``Xero``, ``QuickBooks``, ``qbo``)."""
    words = set(kinds) | {"xero", "quickbooks", "myob", "qbo", "qbd", "intuit", "accountright", "qbwc", "qbxml"}
    return re.compile(r"(?<![a-z0-9])(" + "|".join(sorted(words)) + r")(?![a-z0-9])", re.IGNORECASE)


def neutral_modules() -> Iterator[Path]:
    """Every module outside the package folders and the registry."""
    for path in sorted(RUNTIME.rglob("*.py")):
        if path == REGISTRY or (path.parent != PACKAGES_DIR and PACKAGES_DIR in path.parents):
            continue
        yield path


@dataclass(frozen=True, slots=True)
class Finding:
    path: Path
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.what}"


def _words(identifier: str) -> str:
    """``QboClient`` -> ``Qbo Client``, ``XERO_LIMITS`` -> ``XERO LIMITS``, ``packages.xero`` -> ``packages xero``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", identifier).replace("_", " ").replace(".", " ")


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                ids.add(id(body[0].value))
    return ids


def package_mentions(path: Path, pattern: re.Pattern[str]) -> list[Finding]:
    """Strings (not docstrings), names and imports of ``path`` that name a package."""
    tree = ast.parse(path.read_text(), str(path))
    docstrings = _docstring_nodes(tree)
    found: list[Finding] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if pattern.search(node.value):
                found.append(Finding(path, node.lineno, f"string {node.value[:60]!r}"))
        elif isinstance(node, ast.Name) and pattern.search(_words(node.id)):
            found.append(Finding(path, node.lineno, f"name {node.id}"))
        elif isinstance(node, ast.Attribute) and pattern.search(_words(node.attr)):
            found.append(Finding(path, node.lineno, f"attribute .{node.attr}"))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and pattern.search(_words(node.name)):
            found.append(Finding(path, node.lineno, f"definition {node.name}"))
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            if any(pattern.search(_words(n)) for n in names):
                found.append(Finding(path, node.lineno, f"import from {node.module}"))
        elif isinstance(node, ast.Import):
            if any(pattern.search(_words(a.name)) for a in node.names):
                found.append(Finding(path, node.lineno, "import of a package's module"))
    return found


def kind_branches(path: Path, pattern: re.Pattern[str]) -> list[Finding]:
    """Comparisons of a ``kind`` with a package's kind (``conn.kind == "..."``, ``kind in (...)``)."""
    tree = ast.parse(path.read_text(), str(path))
    found: list[Finding] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        names_kind = any((isinstance(s, ast.Attribute) and s.attr == "kind") or (isinstance(s, ast.Name)
                         and s.id in ("kind", "package")) for s in sides)
        constants = [s for s in sides if isinstance(s, ast.Constant)] + [
            e for s in sides if isinstance(s, (ast.Tuple, ast.List, ast.Set)) for e in s.elts
            if isinstance(e, ast.Constant)]
        constant = any(isinstance(c.value, str) and pattern.search(c.value) for c in constants)
        if names_kind and constant:
            found.append(Finding(path, node.lineno, "branches on a package's kind"))
    return found
