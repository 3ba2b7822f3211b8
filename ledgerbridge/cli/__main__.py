"""``python -m ledgerbridge.cli``: the ``ledgerbridge`` command, for subprocesses that must use this interpreter."""

from ledgerbridge.cli.main import run

run()
