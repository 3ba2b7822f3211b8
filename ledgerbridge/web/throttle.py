"""The sign-in throttle (issue 12): after too many refused sign-ins, refuse further attempts for a growing delay.

Why: without it a script tried 50 passwords at 7.8 a second and the right one was let in at once. Failures are
counted per account (the email typed, known or not, so the answer never tells which emails exist) and per client
address (one address guessing many accounts), in the database (``SignInFailure``), since several workers and
processes may serve the screens. After ``limit`` failures within ``window`` the key is locked for ``base``
seconds, doubling with each further failure up to ``cap``; a failure older than ``window`` is forgotten.

During a lock-out every attempt is refused before its password is checked, the right one too, and it is not
counted (otherwise an attacker could keep an account locked for ever by guessing on). A success clears the
account's failures; the address's stay until they age out, since one account signed in from an address says
nothing of the others tried from it (an office behind one address gets a higher ``limit``).

Time comes from an injected :class:`~ledgerbridge.clock.Now`, so the tests move it rather than sleep.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ledgerbridge.clock import WALL, Now
from ledgerbridge.store.models.users import SignInFailure

ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class Limits:
    """How many failures a key may have within ``window`` seconds before it waits ``base`` seconds, doubled per
    further failure up to ``cap``."""

    limit: int
    window: float = 3600.0
    base: float = 30.0
    cap: float = 900.0

    def delay(self, failures: int) -> float:
        """Seconds locked after the last of ``failures`` failures (0 below the limit)."""
        if failures < self.limit:
            return 0.0
        return min(self.base * 2.0 ** min(failures - self.limit, 30), self.cap)


ACCOUNT_LIMITS = Limits(limit=5)
ADDRESS_LIMITS = Limits(limit=20)


@dataclass(frozen=True, slots=True)
class Lockout:
    """A refusal: how long to wait, and which key is locked (for the audit row; never shown)."""

    seconds: float
    scope: str
    failures: int

    @property
    def retry_after(self) -> int:
        """Whole seconds for the ``Retry-After`` header, never 0."""
        return max(1, math.ceil(self.seconds))

    def message(self) -> str:
        wait = self.retry_after
        in_words = f"{wait} seconds" if wait < 90 else f"{math.ceil(wait / 60)} minutes"
        return f"Too many failed sign-ins: sign-in is paused for this account or address. Try again in {in_words}."


def _key_hash(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()


def _account_key(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True, slots=True)
class SignInThrottle:
    """Reads and writes the failures of one sign-in attempt; the caller commits."""

    clock: Now = WALL
    account: Limits = ACCOUNT_LIMITS
    address: Limits = ADDRESS_LIMITS

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), UTC)

    def _keys(self, email: str, address: str) -> list[tuple[str, str, Limits]]:
        return [(ACCOUNT, _key_hash(ACCOUNT, _account_key(email)), self.account),
                (ADDRESS, _key_hash(ADDRESS, address), self.address)]

    def _lockout(self, session: Session, scope: str, key_hash: str, limits: Limits, now: datetime) -> Lockout | None:
        since = now - timedelta(seconds=limits.window)
        times = session.scalars(select(SignInFailure.at).where(SignInFailure.key_hash == key_hash,
                                                               SignInFailure.at > since)).all()
        delay = limits.delay(len(times))
        if not delay:
            return None
        left = (max(times) + timedelta(seconds=delay) - now).total_seconds()
        return Lockout(left, scope, len(times)) if left > 0 else None

    def locked(self, session: Session, email: str, address: str) -> Lockout | None:
        """The longest lock-out on the account or the address now, or None when the attempt may go on."""
        now = self._now()
        found = [lock for scope, key, limits in self._keys(email, address)
                 if (lock := self._lockout(session, scope, key, limits, now)) is not None]
        return max(found, key=lambda lock: lock.seconds, default=None)

    def failed(self, session: Session, email: str, address: str) -> Lockout | None:
        """Count a refused sign-in under both keys (forgetting their failures older than the window); returns the
        lock-out it starts, if any."""
        now = self._now()
        for scope, key, limits in self._keys(email, address):
            session.execute(delete(SignInFailure).where(SignInFailure.key_hash == key,
                                                        SignInFailure.at <= now - timedelta(seconds=limits.window)))
            session.add(SignInFailure(scope=scope, key_hash=key, at=now))
        session.flush()
        return self.locked(session, email, address)

    def succeeded(self, session: Session, email: str) -> None:
        """Clear the account's failures (the address's age out: see the module's docstring)."""
        session.execute(delete(SignInFailure).where(SignInFailure.key_hash == _key_hash(ACCOUNT, _account_key(email))))


__all__ = ["SignInThrottle", "Limits", "Lockout", "ACCOUNT_LIMITS", "ADDRESS_LIMITS", "ACCOUNT", "ADDRESS"]
