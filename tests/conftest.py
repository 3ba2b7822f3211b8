"""Suite-wide settings: keys and files of the run stay in a temporary folder, never in the checkout."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from ledgerbridge import crypto


@pytest.fixture(scope="session", autouse=True)
def _isolated_key_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    if os.environ.get(crypto.KEY_ENV) or os.environ.get(crypto.KEY_FILE_ENV):
        yield
        return
    os.environ[crypto.KEY_FILE_ENV] = str(tmp_path_factory.mktemp("keys") / "secret.key")
    crypto.reset_default_cipher()
    yield
    os.environ.pop(crypto.KEY_FILE_ENV, None)
    crypto.reset_default_cipher()
