#!/usr/bin/env bash
# Install ledgerbridge with its test tools in .venv and run the whole suite (SQLite and PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
# The web tests drive Debian's Chromium through Playwright (never `playwright install`): install it once here.
command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
# Two test processes (the CI machine has 2 cores and the suite spends much of its time waiting on sandboxes,
# subprocesses and PostgreSQL). --dist loadscope sends each module's tests to one worker, so a module fixture
# (the CLI tour's) runs once. `bash scripts/test.sh -n 0` runs in one process.
exec .venv/bin/python -m pytest -n 2 --dist loadscope "$@"
