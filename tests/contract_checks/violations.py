"""Contract violations and a thread-safe collector for them.

A violation is data, not an exception: the checking transport sits in the middle of
live traffic and must never change what the connector sees, so it records problems
and lets the test decide (``ContractViolations.assert_clean``) at the end.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Direction = Literal["request", "response"]


def pointer_to_jsonpath(pointer: str) -> str:
    """``/Invoices/0/Foo`` -> ``$.Invoices[0].Foo`` (what people read in failures)."""
    out = "$"
    if not pointer:
        return out
    for raw in pointer.lstrip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if part.isdigit():
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            out += f"[{part!r}]"
    return out


@dataclass(frozen=True)
class Violation:
    """One place where an HTTP exchange disagrees with the spec.

    ``location`` says which part of the message is wrong: ``body``, ``query``,
    ``path``, ``header``, ``content-type``, ``status`` or ``operation``.
    ``pointer`` is an RFC 6901 pointer into the JSON body for ``body`` violations,
    and the parameter/header name for the others.
    """

    direction: Direction
    method: str
    path: str
    status: int | None
    location: str
    pointer: str
    message: str
    operation_id: str | None = None

    @property
    def where(self) -> str:
        if self.location == "body":
            return pointer_to_jsonpath(self.pointer)
        if self.location == "query":
            return f"?{self.pointer}"
        if self.location in ("path", "header"):
            return f"{self.location} {self.pointer}"
        return self.location

    def __str__(self) -> str:
        status = f" {self.status}" if self.direction == "response" and self.status is not None else ""
        return f"{self.direction} {self.method} {self.path}{status}: {self.where}: {self.message}"


class ContractViolations:
    """Thread-safe sink shared by every checking transport in a test session.

    Besides violations it counts exchanges, so a test can prove that the checker
    actually saw traffic (a checker wired to nothing passes every test).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._violations: list[Violation] = []
        self._checked = 0
        self._skipped: list[str] = []
        self._operations: Counter[str] = Counter()

    def record_exchange(self, operation: str | None, violations: Iterable[Violation]) -> None:
        items = list(violations)
        with self._lock:
            self._checked += 1
            if operation:
                self._operations[operation] += 1
            self._violations.extend(items)

    def record_skipped(self, description: str) -> None:
        with self._lock:
            self._skipped.append(description)

    def add(self, violation: Violation) -> None:
        with self._lock:
            self._violations.append(violation)

    @property
    def violations(self) -> list[Violation]:
        with self._lock:
            return list(self._violations)

    @property
    def exchanges_checked(self) -> int:
        with self._lock:
            return self._checked

    @property
    def exchanges_skipped(self) -> list[str]:
        """``"METHOD path"`` of exchanges deliberately not checked (record-only)."""
        with self._lock:
            return list(self._skipped)

    @property
    def operations_seen(self) -> Counter[str]:
        """operationId -> number of exchanges, e.g. to assert coverage of an API."""
        with self._lock:
            return Counter(self._operations)

    def clear(self) -> None:
        with self._lock:
            self._violations.clear()
            self._skipped.clear()
            self._operations.clear()
            self._checked = 0

    def report(self, limit: int = 200) -> str:
        items = self.violations
        lines = [f"{len(items)} contract violation(s) in {self.exchanges_checked} checked exchange(s):"]
        lines += [f"  - {v}" for v in items[:limit]]
        if len(items) > limit:
            lines.append(f"  ... and {len(items) - limit} more")
        return "\n".join(lines)

    def assert_clean(self) -> None:
        """Raise AssertionError listing every violation, if there is any."""
        if self.violations:
            raise AssertionError(self.report())
