"""Call counts by method and route template, so benchmarks can report how many API calls a run cost."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable

from starlette.routing import compile_path

from .config import API_PREFIX


class CallStats:
    """Counts ``"PUT /api.xro/2.0/Invoices"``-style keys; paths with ids count under their template
    (``/api.xro/2.0/Invoices/{InvoiceID}``), including calls refused before they reached a route."""

    def __init__(self, templates: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._templates: list[tuple[re.Pattern[str], str]] = []
        self.add_templates(templates)

    def add_templates(self, templates: Iterable[str]) -> None:
        """Register route templates; fixed paths must come before parameterised ones that overlap."""
        for template in templates:
            pattern, _, _ = compile_path(template)
            self._templates.append((pattern, template))

    def template_of(self, path: str) -> str:
        for pattern, template in self._templates:
            if pattern.match(path):
                return template
        return path

    def count(self, method: str, path: str) -> None:
        key = f"{method} {self.template_of(path)}"
        with self._lock:
            self._calls[key] += 1

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            calls = dict(sorted(self._calls.items()))
        accounting = sum(n for key, n in calls.items() if key.split(" ", 1)[1].startswith(API_PREFIX))
        return {"total": sum(calls.values()), "accounting_total": accounting, "calls": calls}

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
