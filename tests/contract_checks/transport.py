"""httpx transports that check every exchange against the Xero contracts in passing.

Why a transport and not a mock or a client wrapper: the connector keeps using its
real ``httpx.Client`` code path (auth, retries, headers, serialisation), and the
check sees exactly the bytes that would go on the wire. The transport must never
alter traffic: it forwards the request untouched, reads the *raw* (still encoded)
response bytes once, and hands the caller a fresh response over those same bytes,
with the original status, headers and extensions. Checker bugs are recorded as
violations rather than raised, so they fail the test without disturbing the code
under test.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

import httpx

from contract_checks.openapi import OpenApiContract
from contract_checks.routing import (
    DEFAULT_RECORD_ONLY_PREFIXES,
    DEFAULT_TOKEN_PATHS,
    ExchangeRouter,
    PendingExchange,
)
from contract_checks.violations import ContractViolations, Violation


def _decoded(status: int, headers: httpx.Headers, raw: bytes) -> bytes:
    """The body as the connector will see it (gzip etc. undone), for checking only."""
    probe = httpx.Response(status, headers=headers, stream=httpx.ByteStream(raw))
    return probe.read()


def _replay(response: httpx.Response, request: httpx.Request, raw: bytes) -> httpx.Response:
    return httpx.Response(
        response.status_code,
        headers=response.headers,
        stream=httpx.ByteStream(raw),
        extensions=response.extensions,
        request=request,
    )


InnerT = TypeVar("InnerT", httpx.BaseTransport, httpx.AsyncBaseTransport)


class _CheckingBase(Generic[InnerT]):
    def __init__(
        self,
        inner: InnerT,
        contract: OpenApiContract,
        *,
        path_prefix: str = "/api.xro/2.0",
        identity: OpenApiContract | None = None,
        identity_prefix: str = "",
        token_paths: Sequence[str] = DEFAULT_TOKEN_PATHS,
        record_only_prefixes: Sequence[str] = DEFAULT_RECORD_ONLY_PREFIXES,
        violations: ContractViolations | None = None,
    ) -> None:
        """Options (shared by the sync and async transports):

        * ``inner``: the transport that really talks to the peer; ``contract``: accounting.
        * ``path_prefix``: where the accounting API lives on the peer (a sandbox may
          mount it elsewhere than ``/api.xro/2.0``).
        * ``identity``/``identity_prefix``: the identity contract for ``/connections``;
          also used for the token endpoint at ``token_paths``.
        * ``record_only_prefixes``: paths that are not Xero API calls (sandbox admin);
          only listed in ``violations.exchanges_skipped``.
        * ``violations``: a collector to share between several transports.
        """
        self.inner: InnerT = inner
        self.violations = violations if violations is not None else ContractViolations()
        self.router = ExchangeRouter(
            contract, self.violations, path_prefix=path_prefix, identity=identity, identity_prefix=identity_prefix,
            token_paths=token_paths, record_only_prefixes=record_only_prefixes,
        )

    def _begin(self, request: httpx.Request, body: bytes) -> PendingExchange | None:
        try:
            return self.router.begin(request.method, str(request.url), request.headers, body)
        except Exception as exc:  # never break traffic; report instead
            self._internal_error(request, exc)
            return None

    def _finish(self, pending: PendingExchange | None, request: httpx.Request, response: httpx.Response,
                raw: bytes, decoded: bool = False) -> None:
        if pending is None:
            return
        try:
            body = raw if decoded else _decoded(response.status_code, response.headers, raw)
            self.router.finish(pending, response.status_code, response.headers, body)
        except Exception as exc:
            self._internal_error(request, exc)

    def _abort(self, pending: PendingExchange | None, exc: BaseException) -> None:
        if pending is not None:
            self.router.abort(pending, exc)

    def _internal_error(self, request: httpx.Request, exc: Exception) -> None:
        self.violations.add(Violation("request", request.method, request.url.path, None, "checker", "",
                                      f"internal contract-checker error: {exc!r}"))


class ContractCheckingTransport(_CheckingBase[httpx.BaseTransport], httpx.BaseTransport):
    """Wrap ``inner`` (the sandbox, a MockTransport, a real HTTPTransport) and check
    every request/response pair against the contracts."""

    # constructor: ContractCheckingTransport(inner, contract, *, path_prefix=..., ...), see _CheckingBase

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        pending = self._begin(request, request.read())
        try:
            response: httpx.Response = self.inner.handle_request(request)
            if response.is_stream_consumed:  # already read (e.g. MockTransport): pass it through as is
                self._finish(pending, request, response, response.content, decoded=True)
                return response
            raw = b"".join(response.iter_raw())
        except BaseException as exc:
            self._abort(pending, exc)
            raise
        replayed = _replay(response, request, raw)
        response.close()
        self._finish(pending, request, replayed, raw)
        return replayed

    def close(self) -> None:
        self.inner.close()


class AsyncContractCheckingTransport(_CheckingBase[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport):
    """Async twin of :class:`ContractCheckingTransport` (same options)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        pending = self._begin(request, await request.aread())
        try:
            response: httpx.Response = await self.inner.handle_async_request(request)
            if response.is_stream_consumed:
                self._finish(pending, request, response, response.content, decoded=True)
                return response
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        except BaseException as exc:
            self._abort(pending, exc)
            raise
        replayed = _replay(response, request, raw)
        await response.aclose()
        self._finish(pending, request, replayed, raw)
        return replayed

    async def aclose(self) -> None:
        await self.inner.aclose()
