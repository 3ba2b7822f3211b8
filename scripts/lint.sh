#!/usr/bin/env bash
# Static checks for CI (``.ci/run``): ``ruff check .`` over the repository and mypy over the package (its
# configuration, with the modules checked strictly, is in pyproject.toml). Both run even when the first fails, so
# one CI run shows every finding; the exit status is non-zero when either found something.
# The tools come from .venv, as in scripts/test.sh; they are installed there (the ``dev`` extras) when missing.
set -uo pipefail
cd "$(dirname "$0")/.."
if [[ ! -x .venv/bin/ruff || ! -x .venv/bin/mypy ]]; then
    python3 -m venv .venv && .venv/bin/python -m pip install --quiet -e '.[dev]' || exit 1
fi
status=0
echo "== ruff check ."
.venv/bin/ruff check . || status=1
echo "== mypy"
.venv/bin/mypy || status=1
exit "$status"
