"""The Web Connector's passwords hashed with argon2 at its lowest cost, for the tests that run its sessions.

Every session of the Web Connector begins with ``authenticate``, an argon2 verification of its password, and every
new password is an argon2 hash (``webconnector/credentials.py``). At the production cost (64 MiB, 3 passes, 4
lanes) each costs about 0.1 s of CPU on a quiet machine and up to 1.5 s on this loaded 2-core one: the end-to-end
tests spent a third of their time there (CI time, docs/status.md). Only the cost parameters change: the code path,
the hasher class, the ``$argon2id$`` hashes and their verification are the same, and the production cost is
argon2-cffi's default (``PasswordHasher()`` in ``credentials.py``), not a choice of ours for a test to hold.
Not for the demo (``test_demo.py`` runs it as a user does, in a process of its own).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from argon2 import PasswordHasher

from ledgerbridge.packages.qbd.webconnector import credentials

__all__ = ["cheap_argon2"]

#: 1 MiB, one pass, one lane: about a millisecond.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@contextmanager
def cheap_argon2() -> Iterator[None]:
    """Web Connector passwords hashed and verified at :data:`CHEAP` cost for the duration."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(credentials, "_hasher", CHEAP)
        yield
