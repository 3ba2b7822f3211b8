"""A tiny Xero stand-in on loopback for the client tests: identity (authorize, token, revocation),
``/connections`` and a scriptable ``/api.xro/2.0``.

It is a real HTTP server (``http.server``), so the code under test runs its real httpx/Authlib path. It
follows Xero's token rules closely enough to catch mistakes: refresh tokens rotate, a retired one is
honoured for ``refresh_grace`` seconds (returning the same new token set), and then answers
``invalid_grant``. The full emulator lives in ``ledgerbridge.packages.xero.sandbox``; this one exists so these
tests can make the token endpoint slow, drop an answer, or script 429/503 replies.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

CLIENT_ID = "ledgerbridge-demo"
CLIENT_SECRET = "demo-secret-0123456789"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class LoopbackXero:
    tenants: list[dict[str, str]] = field(default_factory=lambda: [
        {"id": "conn-aaa", "tenantId": "tenant-111", "tenantName": "Demo Company (UK)", "tenantType": "ORGANISATION"},
        {"id": "conn-bbb", "tenantId": "tenant-222", "tenantName": "Second Books Ltd", "tenantType": "ORGANISATION"},
    ])
    access_ttl: int = 1800
    refresh_grace: float = 1800.0
    token_delay: float = 0.0
    #: Actions for the next token requests: "drop" (rotate, then close without answering), "503".
    token_faults: deque[str] = field(default_factory=deque)
    #: Scripted API answers: (status, headers, body). When empty the API answers 200.
    api_script: deque[tuple[int, dict[str, str], Any]] = field(default_factory=deque)
    on_api_request: Callable[[Recorded], None] | None = None
    minute_limit: int = 60
    day_limit: int = 5000

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.token_calls: list[dict[str, str]] = []
        self.api_calls: list[Recorded] = []
        self.other_calls: list[Recorded] = []
        self.codes: dict[str, dict[str, str]] = {}
        self.access_tokens: dict[str, float] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}  # token -> {"retired_at": float|None, "next": dict}
        self.revoked: list[str] = []
        self.deleted_connections: list[str] = []
        self.day_used = 0

    # -- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake.handle(self, "GET")

            def do_POST(self) -> None:
                fake.handle(self, "POST")

            def do_PUT(self) -> None:
                fake.handle(self, "PUT")

            def do_DELETE(self) -> None:
                fake.handle(self, "DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- helpers for tests ----------------------------------------------------------------------------
    def issue_tokens(self) -> dict[str, Any]:
        access, refresh = "at-" + secrets.token_urlsafe(24), "rt-" + secrets.token_urlsafe(24)
        with self.lock:
            self.access_tokens[access] = time.time() + self.access_ttl
            self.refresh_tokens[refresh] = {"retired_at": None, "next": None}
        return {"access_token": access, "refresh_token": refresh, "expires_in": self.access_ttl,
                "token_type": "Bearer", "scope": "offline_access accounting.transactions",
                "id_token": "idt-" + secrets.token_urlsafe(16)}

    def refresh_calls(self) -> list[dict[str, str]]:
        return [c for c in self.token_calls if c.get("grant_type") == "refresh_token"]

    # -- dispatch -------------------------------------------------------------------------------------
    def handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        url = urlparse(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        rec = Recorded(method, url.path, parse_qs(url.query), {k.lower(): v for k, v in h.headers.items()}, body)
        if url.path == "/identity/connect/authorize":
            return self._authorize(h, rec)
        if url.path == "/connect/token":  # identity.xero.com, the identity spec tokenUrl
            return self._token(h, rec)
        if url.path == "/connect/revocation":
            return self._revoke(h, rec)
        if url.path.startswith("/connections"):
            return self._connections(h, rec)
        if url.path.startswith("/api.xro/2.0"):
            return self._api(h, rec)
        self._send(h, 404, {"error": "not found"})

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        if body is not None and "Content-Type" not in (headers or {}):
            h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _client_ok(self, rec: Recorded, form: dict[str, str]) -> bool:
        auth = rec.headers.get("authorization", "")
        if auth.startswith("Basic "):
            cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        else:
            cid, secret = form.get("client_id", ""), form.get("client_secret", "")
        return cid == CLIENT_ID and secret == CLIENT_SECRET

    def _authorize(self, h: BaseHTTPRequestHandler, rec: Recorded) -> None:
        q = {k: v[0] for k, v in rec.query.items()}
        if q.get("client_id") != CLIENT_ID or q.get("code_challenge_method") != "S256" or not q.get("state"):
            return self._send(h, 400, {"error": "invalid_request"})
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"]}
        target = q["redirect_uri"] + "?" + urlencode({"code": code, "state": q["state"]})
        self._send(h, 302, None, {"Location": target})

    def _token(self, h: BaseHTTPRequestHandler, rec: Recorded) -> None:
        form = {k: v[0] for k, v in parse_qs(rec.body.decode()).items()}
        with self.lock:
            self.token_calls.append(form)
            fault = self.token_faults.popleft() if self.token_faults else None
        if self.token_delay:
            time.sleep(self.token_delay)
        if not self._client_ok(rec, form):
            return self._send(h, 401, {"error": "invalid_client"})
        if fault == "503":
            return self._send(h, 503, b"<html>Service Unavailable</html>", {"Content-Type": "text/html"})
        if form.get("grant_type") == "authorization_code":
            grant = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if grant is None or grant["challenge"] != digest or grant["redirect_uri"] != form.get("redirect_uri"):
                return self._send(h, 400, {"error": "invalid_grant"})
            return self._send(h, 200, self.issue_tokens())
        if form.get("grant_type") == "refresh_token":
            answer = self._rotate(form.get("refresh_token", ""))
            if answer is None:
                return self._send(h, 400, {"error": "invalid_grant"})
            if fault == "drop":  # the new tokens exist, but the answer is lost
                h.close_connection = True
                h.connection.shutdown(2)
                return None
            return self._send(h, 200, answer)
        return self._send(h, 400, {"error": "unsupported_grant_type"})

    def _rotate(self, refresh: str) -> dict[str, Any] | None:
        with self.lock:
            state = self.refresh_tokens.get(refresh)
            if state is None:
                return None
            if state["retired_at"] is not None:
                if time.time() - state["retired_at"] > self.refresh_grace:
                    return None
                return state["next"]  # the grace period: the same answer again
        answer = self.issue_tokens()
        with self.lock:
            state["retired_at"], state["next"] = time.time(), answer
        return answer

    def _revoke(self, h: BaseHTTPRequestHandler, rec: Recorded) -> None:
        form = {k: v[0] for k, v in parse_qs(rec.body.decode()).items()}
        if not self._client_ok(rec, form):
            return self._send(h, 401, {"error": "invalid_client"})
        self.revoked.append(form.get("token", ""))
        self.refresh_tokens.pop(form.get("token", ""), None)
        return self._send(h, 200, None)

    def _bearer_ok(self, rec: Recorded) -> bool:
        token = rec.headers.get("authorization", "").removeprefix("Bearer ")
        with self.lock:
            expiry = self.access_tokens.get(token)
        return expiry is not None and expiry > time.time()

    def _connections(self, h: BaseHTTPRequestHandler, rec: Recorded) -> None:
        self.other_calls.append(rec)
        if not self._bearer_ok(rec):
            return self._send(h, 401, {"Title": "Unauthorized"})
        if rec.method == "DELETE":
            self.deleted_connections.append(rec.path.rsplit("/", 1)[-1])
            return self._send(h, 204, None)
        return self._send(h, 200, self.tenants)

    def _api(self, h: BaseHTTPRequestHandler, rec: Recorded) -> None:
        with self.lock:
            self.api_calls.append(rec)
            scripted = self.api_script.popleft() if self.api_script else None
        if self.on_api_request is not None:
            self.on_api_request(rec)
        if not self._bearer_ok(rec):
            return self._send(h, 401, {"Type": "AuthenticationUnsuccessful", "Title": "Unauthorized"})
        with self.lock:
            self.day_used += 1
            used = self.day_used
        limits = {"X-MinLimit-Remaining": str(max(0, self.minute_limit - used)),
                  "X-DayLimit-Remaining": str(max(0, self.day_limit - used)), "X-AppMinLimit-Remaining": "9999"}
        if scripted is not None:
            status, headers, body = scripted
            return self._send(h, status, body, {**limits, **headers})
        body = rec.body or b'{"Status":"OK"}'
        return self._send(h, 200, {"Status": "OK", "Echo": json.loads(body)} if rec.body else {"Status": "OK"},
                          limits)
