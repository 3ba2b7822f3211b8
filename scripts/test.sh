#!/usr/bin/env bash
# Install ledgerbridge with its test tools in .venv and run the whole suite (SQLite and PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
# The web tests drive Debian's Chromium through Playwright (never `playwright install`): install it once here.
command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
exec .venv/bin/python -m pytest "$@"
