#!/usr/bin/env bash
# Install ledgerbridge with its test tools in .venv, check it, and run the whole suite (SQLite and PostgreSQL):
#   1. static checks: ruff and mypy (strict), and no import circle     (scripts/lint.sh, scripts/import_cycles.py)
#   2. the runtime install: `pip install .` without extras, in a clean venv, imports every shipped module and
#      runs the demo                                                    (scripts/check_runtime_install.sh)
#   3. the tests, on LEDGERBRIDGE_TEST_WORKERS processes (pytest-xdist; 4 by default, one file per worker at a time:
#      the suite waits on servers, sandboxes and subprocesses more than it computes: on 2 processes it kept some
#      1.15 of the 2 cores busy, and 4 took 13:17 where 3 took some 14:40)
# Steps 1-2 run beside step 3; the run fails if either does.
# With arguments (`bash scripts/test.sh tests/unit -x`), only the tests run, with those arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
# The web tests drive Debian's Chromium through Playwright (never `playwright install`): install it once here.
command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
workers="${LEDGERBRIDGE_TEST_WORKERS:-4}"
if [[ $# -gt 0 ]]; then
    exec .venv/bin/python -m pytest -n "$workers" --dist loadfile "$@"
fi
# The checks run beside the tests (they were a minute and a half before the first test began); either failing
# fails the run, and the checks' output is printed once both are done.
checks_log=$(mktemp)
(
    set +e
    started=$SECONDS
    bash scripts/lint.sh && .venv/bin/python scripts/import_cycles.py && bash scripts/check_runtime_install.sh
    status=$?
    echo "== checks done in $((SECONDS - started)) s (status $status)"
    exit $status
) > "$checks_log" 2>&1 &
checks=$!
tests_status=0
.venv/bin/python -m pytest -n "$workers" --dist loadfile || tests_status=$?
checks_status=0
wait "$checks" || checks_status=$?
echo "== the checks (ruff, mypy, import circles, a clean runtime install):"
cat "$checks_log"
rm -f "$checks_log"
if [[ $checks_status -ne 0 || $tests_status -ne 0 ]]; then
    echo "== FAILED: checks status $checks_status, tests status $tests_status"
    exit 1
fi
