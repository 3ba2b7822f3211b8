"""Decide which contract checks an exchange, and check it (transport-independent).

Traffic to "Xero" in our tests mixes three APIs on one base URL: the accounting API
(``/api.xro/2.0/...``), the identity API (``/connections``) and the OAuth token
endpoint (``/connect/token``, form-encoded, described by the identity spec only as
``RefreshToken``/``AccessToken`` component schemas), plus sandbox-only admin
endpoints that no Xero spec describes. Keeping the routing here lets the sync and
async transports stay thin and lets tests check exchanges without any HTTP at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

from contract_checks.openapi import OpenApiContract
from contract_checks.operations import Operation
from contract_checks.violations import ContractViolations, Violation

DEFAULT_TOKEN_PATHS: tuple[str, ...] = ("/connect/token", "/identity/connect/token")
#: Not Xero API calls, or OAuth endpoints no Xero spec describes (the browser consent
#: page lives at login.xero.com; revocation is only an SDK constant): recorded, not checked.
DEFAULT_RECORD_ONLY_PREFIXES: tuple[str, ...] = (
    "/sandbox",
    "/identity/connect/authorize",
    "/connect/authorize",
    "/identity/connect/revocation",
    "/connect/revocation",
)
RouteKind = Literal["accounting", "identity", "token", "record-only", "unknown"]


@dataclass
class PendingExchange:
    """What the request side learned, handed to the response side."""

    kind: RouteKind
    method: str
    url: str  # URL as the contract sees it (prefix rewritten); path + query
    display_path: str
    operation: Operation | None = None
    violations: list[Violation] = field(default_factory=list)


def _under(path: str, prefix: str) -> bool:
    prefix = prefix.rstrip("/")
    return not prefix or path == prefix or path.startswith(prefix + "/")


class ExchangeRouter:
    """Routes each exchange to the accounting contract, the identity contract, the
    token-endpoint check, or "record only", and records the outcome."""

    def __init__(
        self,
        contract: OpenApiContract,
        violations: ContractViolations,
        *,
        path_prefix: str = "/api.xro/2.0",
        identity: OpenApiContract | None = None,
        identity_prefix: str = "",
        token_paths: Sequence[str] = DEFAULT_TOKEN_PATHS,
        record_only_prefixes: Sequence[str] = DEFAULT_RECORD_ONLY_PREFIXES,
    ) -> None:
        self.contract = contract
        self.violations = violations
        self.path_prefix = path_prefix.rstrip("/")
        self.identity = identity
        self.identity_prefix = identity_prefix.rstrip("/")
        self.token_paths = tuple(p.rstrip("/").lower() for p in token_paths)
        self.record_only_prefixes = tuple(record_only_prefixes)

    # -- request side ---------------------------------------------------------
    def begin(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> PendingExchange:
        parts = urlsplit(url)
        path, query = parts.path or "/", f"?{parts.query}" if parts.query else ""
        method = method.upper()
        if _under(path, self.path_prefix) and self.path_prefix:
            rel = path[len(self.path_prefix):] or "/"
            pending = PendingExchange("accounting", method, self.contract.server_prefix + rel + query, rel)
            pending.operation, pending.violations = self.contract.check_request(method, pending.url, headers, body)
            return pending
        if any(_under(path, p) for p in self.record_only_prefixes):
            return PendingExchange("record-only", method, path + query, path)
        if path.rstrip("/").lower() in self.token_paths:
            pending = PendingExchange("token", method, path + query, path)
            pending.violations = self._token_request(pending, headers, body)
            return pending
        if self.identity is not None and _under(path, self.identity_prefix):
            rel = path[len(self.identity_prefix):] or "/"
            pending = PendingExchange("identity", method, self.identity.server_prefix + rel + query, rel)
            pending.operation, pending.violations = self.identity.check_request(method, pending.url, headers, body)
            return pending
        pending = PendingExchange("unknown", method, path + query, path)
        pending.violations = [Violation("request", method, path, None, "operation", "",
                                        "not an accounting call and not in the identity spec: operation not in spec")]
        return pending

    # -- response side --------------------------------------------------------
    def finish(self, pending: PendingExchange, status: int, headers: Mapping[str, str], body: bytes) -> None:
        out = list(pending.violations)
        if pending.kind == "record-only":
            self.violations.record_skipped(f"{pending.method} {pending.display_path}")
            return
        if pending.kind == "accounting":
            out += self.contract.check_response(pending.method, pending.url, status, headers, body, pending.operation)
        elif pending.kind == "identity" and self.identity is not None:
            out += self.identity.check_response(pending.method, pending.url, status, headers, body, pending.operation)
        elif pending.kind == "token":
            out += self._token_response(pending, status, headers, body)
        op = pending.operation.operation_id if pending.operation else None
        self.violations.record_exchange(op or (pending.kind if pending.kind == "token" else None), out)

    def abort(self, pending: PendingExchange, exc: BaseException) -> None:
        """The inner transport raised: keep what the request side found."""
        if pending.kind == "record-only":
            self.violations.record_skipped(f"{pending.method} {pending.display_path}")
        else:
            op = pending.operation.operation_id if pending.operation else None
            self.violations.record_exchange(op, pending.violations)

    # -- OAuth token endpoint (only what the identity spec describes) ----------
    def _token_request(self, pending: PendingExchange, headers: Mapping[str, str], body: bytes) -> list[Violation]:
        def v(location: str, pointer: str, message: str) -> Violation:
            return Violation("request", pending.method, pending.display_path, None, location, pointer, message, "token")

        if pending.method != "POST":
            return [v("operation", "", "the token endpoint only accepts POST: operation not in spec")]
        media = (headers.get("content-type") or "").split(";")[0].strip().lower()
        if media != "application/x-www-form-urlencoded":
            return [v("content-type", "", f"token requests are form-encoded, got {media or '(none)'!r}")]
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        if "grant_type" not in form:
            return [v("body", "/grant_type", "required form field 'grant_type' is missing")]
        if form["grant_type"] != "refresh_token" or self.identity is None:
            return []  # other grants are not described by xero-identity.yaml
        issues = self.identity.check_component("RefreshToken", form, "request")
        return [v("body", i.pointer, i.message) for i in issues]

    def _token_response(
        self, pending: PendingExchange, status: int, headers: Mapping[str, str], body: bytes
    ) -> list[Violation]:
        if status != 200 or self.identity is None:
            return []  # error bodies ({"error": "invalid_grant"}) are not described
        def v(location: str, pointer: str, message: str) -> Violation:
            return Violation("response", pending.method, pending.display_path, status, location, pointer, message,
                             "token")

        try:
            instance = json.loads(body)
        except ValueError as exc:
            return [v("body", "", f"body is not valid JSON: {exc}")]
        return [v("body", i.pointer, i.message) for i in self.identity.check_component("AccessToken", instance,
                                                                                        "response")]
