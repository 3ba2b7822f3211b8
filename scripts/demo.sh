#!/usr/bin/env bash
# Install ledgerbridge in .venv and run the demo (SQLite + the local Xero sandbox). Extra args go to the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/ledgerbridge demo "$@"
