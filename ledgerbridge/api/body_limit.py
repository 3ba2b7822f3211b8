"""A cap on every request body (``LEDGERBRIDGE_MAX_BODY_BYTES``, 50 MB by default), answered with 413.

Why at the ASGI edge: the intake reads the whole body before parsing it, and FastAPI does the same for its
models, so without a cap one request could hold any amount of memory. A body that announces its length is
refused before a byte is read; a chunked one is counted as it arrives and refused once past the cap. The
answer has the intake's error shape, naming the body, so a host's developer reads it like any refusal.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit", "too_large"]


def _detail(limit: int) -> dict[str, object]:
    message = f"The request body is larger than {limit:,} bytes; nothing was written. Send it in smaller batches."
    return {"message": message, "errors": [{"record": "body", "field": "", "message": f"exceeds {limit:,} bytes"}]}


def too_large(limit: int) -> HTTPException:
    return HTTPException(413, detail=_detail(limit))  # type: ignore[arg-type]  # starlette types detail as str


class BodyLimit:
    """ASGI middleware: at most ``limit`` bytes of body per HTTP request."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await JSONResponse({"detail": _detail(self.limit)}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise too_large(self.limit)  # inside the route: the app's handlers answer it
            return message

        await self.app(scope, counted, send)
