#!/usr/bin/env bash
# Does `pip install .` (no extras) give a ledgerbridge that imports and runs? Issue 11, point 4.
#
# Why: the test environment has every dev tool installed, so a runtime module that imports pytest, jsonschema
# or anything else missing from [project] dependencies passes every test and breaks only for a user. This
# installs the committed-or-not working tree (tracked and untracked files, not ignored ones) into a clean venv
# in a temporary folder, imports every module of the *installed* package, checks the package data is in it, and
# runs `ledgerbridge --help` and `ledgerbridge demo --json`. Any error fails the script loudly.
#
# Usage: bash scripts/check_runtime_install.sh   (needs git and network access to the package index)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/ledgerbridge-runtime-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV

fail() { echo "check_runtime_install: FAILED: $*" >&2; exit 1; }

# A copy of the source, not the checkout itself: setuptools builds in place and reuses a stale build/ folder,
# which could carry a module or a data file the current tree no longer ships.
mkdir "$work/src"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - --) | tar -xf - -C "$work/src"

"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$work/src" \
  || fail "pip install . (no extras) did not succeed"

# Run from an empty folder so nothing but the installed package can be imported.
mkdir "$work/run"
cd "$work/run"
"$work/venv/bin/python" - <<'PY' || fail "the installed package does not import or lacks its data (see above)"
import importlib
import pkgutil
import sys
import traceback
from importlib import resources
from pathlib import Path

import ledgerbridge

site = Path(sys.prefix).resolve()
if site not in Path(ledgerbridge.__file__).resolve().parents:
    sys.exit(f"ledgerbridge was imported from {ledgerbridge.__file__}, not from the clean venv {site}")

# Alembic's env.py and revision scripts run only inside Alembic (they use its context); they are not packages,
# so the walk does not reach them, and they are skipped by name in case that ever changes. A ``__main__`` module
# runs its program when imported: the shell below runs it with ``python -m`` instead.
SKIP_PREFIXES = ("ledgerbridge.store.migrations.env", "ledgerbridge.store.migrations.versions")

failures: list[str] = []
names: list[str] = []


def on_error(name: str) -> None:
    failures.append(f"{name}: cannot be walked\n{traceback.format_exc()}")


for info in pkgutil.walk_packages(ledgerbridge.__path__, "ledgerbridge.", onerror=on_error):
    if info.name.startswith(SKIP_PREFIXES) or info.name.endswith(".__main__"):
        continue
    names.append(info.name)
    try:
        importlib.import_module(info.name)
    except BaseException:  # noqa: BLE001 - report every module, then fail
        failures.append(f"{info.name}\n{traceback.format_exc()}")

# Package data the code opens at run time (setuptools package-data in pyproject.toml).
root = resources.files("ledgerbridge")
data = {
    "Alembic environment": root / "store" / "migrations" / "env.py",
    "Alembic script template": root / "store" / "migrations" / "script.py.mako",
    "first migration": root / "store" / "migrations" / "versions" / "0001_initial_schema.py",
    "web template base.html": root / "web" / "templates" / "base.html",
    "web stylesheet": root / "web" / "static" / "app.css",
    "web script": root / "web" / "static" / "app.js",
    "Xero sandbox README": root / "packages" / "xero" / "sandbox" / "README.md",
    "QBO sandbox README": root / "packages" / "qbo" / "sandbox" / "README.md",
}
for label, path in data.items():
    if not path.is_file():
        failures.append(f"package data missing: {label} ({path})")

if failures:
    print(f"{len(failures)} problem(s) in the installed package:", file=sys.stderr)
    for failure in failures:
        print(f"--- {failure}", file=sys.stderr)
    sys.exit(1)
print(f"check_runtime_install: imported {len(names)} modules of the installed ledgerbridge; package data present")
PY

for command in "$work/venv/bin/ledgerbridge" "$work/venv/bin/python -m ledgerbridge.cli"; do
  $command --help >"$work/help.txt" 2>&1 || { cat "$work/help.txt" >&2; fail "$command --help"; }
  grep -q "Usage" "$work/help.txt" || { cat "$work/help.txt" >&2; fail "$command --help printed no usage"; }
done
echo "check_runtime_install: ledgerbridge --help and python -m ledgerbridge.cli --help run"

# The demo uses the package data for real: Alembic's migrations build its SQLite store, the Xero sandbox serves
# it. It works in a temporary folder of its own (store and key file), so this folder must stay empty.
"$work/venv/bin/ledgerbridge" demo --json >"$work/demo.json" 2>"$work/demo.err" \
  || { cat "$work/demo.err" >&2; fail "ledgerbridge demo --json"; }
"$work/venv/bin/python" -c 'import json, sys; summary = json.load(open(sys.argv[1])); assert summary["seen"] > 0, summary' \
  "$work/demo.json" || fail "ledgerbridge demo --json: nothing was seen in the sandbox"
[ -z "$(ls -A "$work/run")" ] || fail "ledgerbridge demo left files in the current folder: $(ls -A "$work/run")"
echo "check_runtime_install: ledgerbridge demo --json runs from the installed package; OK"
