"""The architecture holds: one folder and one registry line per package, and no import circle.

These tests read the source; each names the file and line that breaks the rule, so a change that lets a
package's name into neutral code (or a circle into the imports) fails here with the place to fix.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

from architecture.boundaries import (
    REGISTRY,
    ROOT,
    kind_branches,
    neutral_modules,
    package_kinds,
    package_mentions,
    package_words,
)


def test_no_module_outside_a_package_folder_names_a_package() -> None:
    pattern = package_words(package_kinds())
    findings = [f for path in neutral_modules() for f in package_mentions(path, pattern)]
    assert not findings, "package names outside their folder and the registry:\n" + "\n".join(map(str, findings))


def test_no_template_or_script_of_the_screens_names_a_package() -> None:
    """The screens list the packages from the registry (``package_names``), never from their own text."""
    pattern = package_words(package_kinds())
    screens = ROOT / "ledgerbridge" / "web"
    findings = [f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}"
                for path in sorted([*screens.rglob("*.html"), *screens.rglob("*.js"), *screens.rglob("*.css")])
                for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert not findings, "\n".join(findings)


def test_no_module_outside_a_package_folder_branches_on_the_kind() -> None:
    pattern = package_words(package_kinds())
    findings = [f for path in neutral_modules() for f in kind_branches(path, pattern)]
    assert not findings, "\n".join(map(str, findings))


def test_the_checks_see_what_they_must_refuse(tmp_path: Path) -> None:
    """The two checks are able to fail: a neutral module that names a package, or branches on a kind, is found."""
    bad = tmp_path / "bad.py"
    bad.write_text(textwrap.dedent('''
        """A docstring may say Xero."""
        from ledgerbridge.packages.qbo.client import QboClient
        LIMITS = {"xero": 60}
        def budget(conn):
            if conn.kind == "myob":
                return QboClient
    '''))
    pattern = package_words(["xero", "qbo"])
    whats = [f.what for f in package_mentions(bad, pattern)]
    assert "string 'xero'" in whats and "import from ledgerbridge.packages.qbo.client" in whats
    assert "string 'myob'" in whats and "name QboClient" in whats
    assert not any("docstring" in w or "Xero." in w for w in whats)
    assert [f.what for f in kind_branches(bad, pattern)] == ["branches on a package's kind"]


def test_every_package_folder_is_one_registry_line() -> None:
    """Each folder under ledgerbridge/packages is registered, once, by importing its spec in the registry."""
    from ledgerbridge.packages.registry import PACKAGES

    kinds = package_kinds()
    assert sorted(spec.kind for spec in PACKAGES) == kinds
    tree = ast.parse(REGISTRY.read_text())
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and node.module and node.module.startswith("ledgerbridge.packages.")]
    assert sorted(imported) == [f"ledgerbridge.packages.{kind}.spec" for kind in kinds]
    for spec in PACKAGES:
        module = importlib.import_module(f"ledgerbridge.packages.{spec.kind}.spec")
        assert module.SPEC is spec


def test_no_import_circle() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "import_cycles.py")], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("0 import circle(s)")
