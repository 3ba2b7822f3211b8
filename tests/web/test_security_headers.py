"""Security headers (issue 12): over real HTTP on pages, API answers and errors, and in Chromium, where the
Content-Security-Policy must leave every screen working and no other site may frame one."""

from __future__ import annotations

import httpx
from playwright.sync_api import ConsoleMessage

from .browser import LAPTOP, chromium, sign_in
from .conftest import PASSWORD, LiveApp
from .test_auth import sign_in as sign_in_http

GUARDS = {"x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "same-origin"}
TABS = ["connection", "export", "import", "mapping", "settings", "numbering", "documents", "reconciliation",
        "purchases", "audit", "users"]


def _guarded(answer: httpx.Response, *, cached: bool = False) -> None:
    for name, value in GUARDS.items():
        assert answer.headers.get(name) == value, f"{answer.url}: {name} is {answer.headers.get(name)!r}"
    policy = answer.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy, f"{answer.url}: {policy!r}"
    if not cached:
        assert answer.headers.get("cache-control") == "no-store", f"{answer.url}: {answer.headers}"
    assert "strict-transport-security" not in answer.headers, "HSTS over plain HTTP"


def test_pages_api_answers_and_errors_carry_the_headers(live_app: LiveApp) -> None:
    anonymous = httpx.Client(base_url=live_app.base_url, timeout=10)
    login = anonymous.get("/login")
    _guarded(login)
    policy = login.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy and "default-src 'none'" in policy
    _guarded(anonymous.get("/export"))  # the redirect to the sign-in page
    _guarded(anonymous.get("/v1/connections"))  # a 401 of the REST API
    _guarded(anonymous.get("/v1/openapi-does-not-exist"))  # a 404
    client = sign_in_http(live_app, "admin@dunmore.test")
    for tab in TABS:
        _guarded(client.get(f"/{tab}"))
    script = anonymous.get("/static/app.js")
    _guarded(script, cached=True)
    assert script.headers.get("cache-control") != "no-store"  # the same for everyone: the browser may keep it


def test_hsts_only_when_the_request_came_over_https(live_app: LiveApp) -> None:
    """Behind a TLS proxy on this host (trusted by uvicorn's ``proxy_headers``) the answer carries HSTS."""
    client = httpx.Client(base_url=live_app.base_url, timeout=10)
    assert "strict-transport-security" not in client.get("/login").headers
    secure = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert secure.headers.get("strict-transport-security", "").startswith("max-age=")


def test_every_screen_works_under_the_policy_and_none_can_be_framed(live_app: LiveApp) -> None:
    base = live_app.base_url
    refused: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            refused.append(message.text)

    with chromium() as browser:
        page = browser.new_page(viewport=LAPTOP)
        page.on("console", watch)
        sign_in(page, base, "admin@dunmore.test", PASSWORD)
        for tab in TABS:
            page.goto(f"{base}/{tab}")
            assert page.evaluate("document.styleSheets[0].cssRules.length") > 0, f"/{tab}: app.css not applied"
        assert refused == [], refused
        framing = browser.new_page()
        framing.on("console", watch)
        framing.set_content(f'<iframe src="{base}/login"></iframe>')  # waits for the frame's load
        inner = framing.frames[-1]
        assert inner is not framing.main_frame and "current-password" not in inner.content()
        assert any("frame-ancestors" in text for text in refused), refused
