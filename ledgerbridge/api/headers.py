"""Security headers on every answer of the app: the screens and the REST API.

Why: the screens hold a company's books and act on them with a signed-in person's rights, so another site must not
frame them (clickjacking: ``frame-ancestors 'none'`` and, for older browsers, ``X-Frame-Options: DENY``), a
browser must not guess a JSON or text answer to be a script (``nosniff``), pages must run only this site's own
script and style (the Content-Security-Policy: ``web/static/app.js`` and ``app.css``, no inline code), a page's
address (which carries filters and messages) must not leak to other sites (``Referrer-Policy``), and no answer
with data may be kept by a browser's or a proxy's cache (``Cache-Control: no-store``; the static files excepted).
``Strict-Transport-Security`` is sent only on an answer that went out over HTTPS (directly or, with uvicorn's
``proxy_headers``, behind a trusted proxy that says so): sent over plain HTTP it is ignored by browsers, and
a deployment still on HTTP must not be told to refuse it.

The policy leaves out ``form-action``: Connect posts a form that is redirected to the package's consent page on
the package's own site, and Chromium checks ``form-action`` against that redirect too.

A plain ASGI middleware rather than Starlette's ``BaseHTTPMiddleware``, so a streamed answer stays streamed and
the worker's background tasks are untouched; headers the route set itself are kept.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The screens use only their own files: one script, one style sheet, images inline as data at most, and the job
#: progress polled from this site. Nothing else may load, nothing may frame a page, no <base> or plugin.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
#: FastAPI's API explorer (``/docs``, ``/redoc``) loads its scripts from a CDN and starts them inline: it keeps the
#: framing guard but not the screens' script policy (it holds no data; every call it makes needs an API key).
EXPLORER_POLICY = "frame-ancestors 'none'"
EXPLORER_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000"
#: Files the browser may cache: the screens' CSS and JS, the same for everyone.
CACHEABLE_PATHS = ("/static/",)

ALWAYS: dict[str, str] = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def headers_for(path: str, scheme: str) -> dict[str, str]:
    """The headers an answer to ``path`` (asked over ``scheme``) carries, unless the route set them itself."""
    headers = dict(ALWAYS)
    explorer = path in EXPLORER_PATHS or path.startswith(tuple(f"{p}/" for p in EXPLORER_PATHS))
    headers["Content-Security-Policy"] = EXPLORER_POLICY if explorer else CONTENT_SECURITY_POLICY
    if not path.startswith(CACHEABLE_PATHS):
        headers["Cache-Control"] = "no-store"
    if scheme == "https":
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    """Adds :func:`headers_for` to every HTTP answer of the wrapped app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope.get("path", ""), scope.get("scheme", "http"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)


__all__ = ["SecurityHeaders", "headers_for", "CONTENT_SECURITY_POLICY", "HSTS"]
