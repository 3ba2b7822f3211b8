#!/usr/bin/env bash
# Install ledgerbridge with its test tools in .venv, check it, and run the whole suite (SQLite and PostgreSQL):
#   1. static checks: ruff and mypy (strict), and no import circle     (scripts/lint.sh, scripts/import_cycles.py)
#   2. the runtime install: `pip install .` without extras, in a clean venv, imports every shipped module and
#      runs the demo                                                    (scripts/check_runtime_install.sh)
#   3. the tests, on LEDGERBRIDGE_TEST_WORKERS processes (pytest-xdist; 3 by default, one file per worker at a time:
#      the suite waits on servers, sandboxes and subprocesses more than it computes, and on 2 processes it kept
#      some 1.15 of the 2 cores busy)
# With arguments (`bash scripts/test.sh tests/unit -x`), only the tests run, with those arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
# The web tests drive Debian's Chromium through Playwright (never `playwright install`): install it once here.
command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
if [[ $# -eq 0 ]]; then
    started=$SECONDS
    bash scripts/lint.sh
    .venv/bin/python scripts/import_cycles.py
    bash scripts/check_runtime_install.sh
    echo "== checks done in $((SECONDS - started)) s; the tests:"
fi
exec .venv/bin/python -m pytest -n "${LEDGERBRIDGE_TEST_WORKERS:-3}" --dist loadfile "$@"
