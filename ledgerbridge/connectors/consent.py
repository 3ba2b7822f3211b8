"""Getting a user's consent: the browser round trip of OAuth2's authorization-code flow (R-C1).

For a real package the user opens the consent page in a browser and the package
redirects back to a loopback listener started here (as command-line tools do). For
a sandbox, ``approve_in_sandbox`` plays the user's part: it opens the consent page,
chooses the organisation and presses "Allow access", exactly as a person would.
"""

from __future__ import annotations

import threading
import webbrowser
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urljoin, urlsplit

import httpx


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        #: Each list's options in order (a consent page's list of companies, MYOB's businesses).
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = a.get("action", "")
            self._in_form = True
        elif not self._in_form:
            return
        elif tag == "input" and a.get("name") and a.get("type", "text") not in ("submit", "button"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a and a["name"] in self.fields:
                return
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "button" and a.get("name"):
            self.fields.setdefault(a["name"], a.get("value", ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            self.options.setdefault(self._select, []).append(a.get("value", ""))
            self.fields.setdefault(self._select, a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def approve_in_sandbox(authorize_url: str, transport: httpx.BaseTransport | None = None,
                       tenant_id: str | None = None, option: int = 0) -> str:
    """Press "Allow access" on a sandbox's consent page; returns the URL the browser would be sent back to.
    ``option``: the page's lists are set to their option of that place (0: the first; a benchmark's second
    tenant takes the second company a page offers)."""
    with httpx.Client(transport=transport, timeout=10) as client:
        page = client.get(authorize_url)
        page.raise_for_status()
        form = _FormReader()
        form.feed(page.text)
        if form.action is None:
            raise RuntimeError("the consent page has no form to submit")
        for name, values in form.options.items():
            if option:
                form.fields[name] = values[option % len(values)]
        if tenant_id is not None:
            for name in list(form.fields):
                if "tenant" in name.lower():
                    form.fields[name] = tenant_id
        answer = client.post(urljoin(str(page.url), form.action), data=form.fields, follow_redirects=False)
        if answer.status_code not in (302, 303) or "location" not in answer.headers:
            raise RuntimeError(f"the consent page answered {answer.status_code} instead of redirecting back")
        return answer.headers["location"]


def wait_for_browser_callback(authorize_url: str, redirect_uri: str, timeout: float = 300,
                              open_browser: bool = True) -> str:
    """Listen on the loopback redirect URI until the package sends the browser back; returns that URL."""
    parts = urlsplit(redirect_uri)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        raise ValueError("the command line can only receive the consent on a loopback redirect URI")
    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            received.append(f"{parts.scheme}://{parts.netloc}{self.path}")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"<h1>ledgerbridge</h1><p>Connected. You can close this window.</p>")

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer((parts.hostname, parts.port or 80), Handler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    if open_browser:
        webbrowser.open(authorize_url)
    thread.join(timeout)
    server.server_close()
    if not received:
        raise TimeoutError("no answer from the consent page in time")
    return received[0]
