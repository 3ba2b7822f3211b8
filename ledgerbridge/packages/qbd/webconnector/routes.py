"""The Web Connector's endpoints on a FastAPI router: the SOAP service (POST), its WSDL (GET ``?wsdl``) and the
AppSupport page. The app mounts the router where the package's spec says (``/packages/qbd``, say); the .qwc file
names the same URLs (``qwc.urls_for``).

The SOAP endpoint is open to the internet by design: the Web Connector signs in inside the protocol
(``authenticate``), not with the API's key or the screens' session. It reads at most ``max_body_bytes`` of body
(QuickBooks' answers to large queries are big, but not unbounded) and answers every call from the thread pool,
because ``sendRequestXML`` may wait some seconds for the next message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from ledgerbridge.packages.qbd.webconnector.backend import MessageSource
from ledgerbridge.packages.qbd.webconnector.service import WebConnectorService
from ledgerbridge.packages.qbd.webconnector.sessions import PolledSessions, SessionSettings
from ledgerbridge.packages.qbd.webconnector.soap import (
    CONTENT_TYPE,
    DEFAULT_MAX_BYTES,
    SoapFault,
    parse_call,
    render_fault,
    render_response,
)
from ledgerbridge.packages.qbd.webconnector.support_page import PAGE_POLICY, endpoint_page, support_page
from ledgerbridge.packages.qbd.webconnector.wsdl import service_wsdl
from ledgerbridge.store.db import utcnow

__all__ = ["SOAP_PATH", "SUPPORT_PATH", "ServiceSettings", "build_service", "router"]

SOAP_PATH = "/webconnector"
SUPPORT_PATH = "/webconnector/support"


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    sessions: SessionSettings = field(default_factory=SessionSettings)
    max_body_bytes: int = DEFAULT_MAX_BYTES


def build_service(sessions: sessionmaker[Session], source: MessageSource, settings: ServiceSettings | None = None,
                  now: Callable[[], datetime] = utcnow) -> WebConnectorService:
    """The service over the real backend (sessions in the store, the work from ``source``)."""
    settings = settings or ServiceSettings()
    return WebConnectorService(PolledSessions(sessions, source, settings=settings.sessions, now=now))


class _TooLarge(Exception):
    pass


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _xml(content: bytes, status_code: int = 200) -> Response:
    return Response(content, status_code=status_code, media_type=CONTENT_TYPE)


def router(sessions: sessionmaker[Session], source: MessageSource, settings: ServiceSettings | None = None, *,
           now: Callable[[], datetime] = utcnow, service: WebConnectorService | None = None) -> APIRouter:
    """The Web Connector's router (``service``: one already built, e.g. over another backend in a test)."""
    settings = settings or ServiceSettings()
    answering = service or build_service(sessions, source, settings, now)
    limit = settings.max_body_bytes
    api = APIRouter()

    @api.post(SOAP_PATH, include_in_schema=False)
    async def soap(request: Request) -> Response:
        try:
            call = parse_call(await _body(request, limit), limit)
        except _TooLarge:
            return _xml(render_fault(SoapFault("Client", f"the message is larger than {limit:,} bytes")), 413)
        except SoapFault as fault:
            return _xml(render_fault(fault), 500)  # SOAP 1.1 over HTTP: a fault travels with status 500
        result = await run_in_threadpool(answering.handle, call)
        return _xml(render_response(call.operation, result))

    @api.get(SOAP_PATH, include_in_schema=False)
    async def describe(request: Request) -> Response:
        if any(key.lower() == "wsdl" for key in request.query_params):
            return _xml(service_wsdl(str(request.url.replace(query=""))))
        return HTMLResponse(endpoint_page(str(request.url_for("web_connector_support"))),
                            headers={"Content-Security-Policy": PAGE_POLICY})

    @api.get(SUPPORT_PATH, include_in_schema=False, name="web_connector_support")
    async def support() -> HTMLResponse:
        return HTMLResponse(support_page(), headers={"Content-Security-Policy": PAGE_POLICY})

    return api
