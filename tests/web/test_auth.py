"""Sign-in, sessions, CSRF and roles over real HTTP (no browser): the server-side guards on their own."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.users import User, WebSession
from ledgerbridge.web.auth import AuthError, authenticate, create_user

from .conftest import PASSWORD, LiveApp, Store


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def sign_in(app: LiveApp, email: str) -> httpx.Client:
    client = httpx.Client(base_url=app.base_url, timeout=10)
    page = client.get("/login")
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(page.text),
                                         "next": "/documents"})
    assert answer.status_code == 303 and answer.headers["location"] == "/documents"
    return client


def test_passwords_are_hashed_with_argon2_and_sessions_stored_hashed(store: Store, live_app: LiveApp) -> None:
    client = sign_in(live_app, "admin@dunmore.test")
    cookie = client.cookies["lb_session"]
    with session_scope(store.sessions) as session:
        user = session.scalar(select(User).where(User.email == "admin@dunmore.test"))
        assert user is not None and user.password_hash.startswith("$argon2id$")
        ids = session.scalars(select(WebSession.id_hash)).all()
        assert cookie not in ids and len(ids[0]) == 64


def test_pages_need_a_session_and_a_wrong_password_is_refused(live_app: LiveApp) -> None:
    with httpx.Client(base_url=live_app.base_url, timeout=10) as client:
        assert client.get("/export").headers["location"].startswith("/login")
        page = client.get("/login")
        answer = client.post("/login", data={"email": "admin@dunmore.test", "password": "wrong password!",
                                             "csrf_token": csrf_of(page.text)})
        assert answer.status_code == 303 and "err=" in answer.headers["location"]
        assert "lb_session" not in client.cookies


def test_login_without_its_csrf_token_is_refused(live_app: LiveApp) -> None:
    with httpx.Client(base_url=live_app.base_url, timeout=10) as client:
        client.get("/login")
        answer = client.post("/login", data={"email": "admin@dunmore.test", "password": PASSWORD,
                                             "csrf_token": "forged"})
        assert answer.status_code == 403


def test_every_form_post_checks_the_csrf_token(live_app: LiveApp) -> None:
    client = sign_in(live_app, "admin@dunmore.test")
    answer = client.post("/export/action", data={"action": "precheck", "csrf_token": "forged"})
    assert answer.status_code == 403
    answer = client.post("/settings", data={"reference_field": "order_number"})
    assert answer.status_code == 403


def test_a_viewer_cannot_change_anything(live_app: LiveApp) -> None:
    client = sign_in(live_app, "viewer@dunmore.test")
    page = client.get("/documents")
    token = csrf_of(page.text)
    for path, data in [("/export/action", {"action": "upload"}), ("/export/action", {"action": "mark_exported"}),
                       ("/export/action", {"action": "precheck"}), ("/import/action", {"action": "fetch"}),
                       ("/mapping", {"nominal:4000": "200"}), ("/mapping/refresh", {}),
                       ("/settings", {"reference_field": "order_number"}), ("/connection/connect", {}),
                       ("/connection/disconnect", {}), ("/users", {"email": "x@y.test", "password": PASSWORD})]:
        answer = client.post(path, data={**data, "csrf_token": token})
        assert answer.status_code == 403, path
    assert client.get("/users").status_code == 403
    refused_page = client.get("/users", headers={"Accept": "text/html"})
    assert refused_page.status_code == 403 and "Only an administrator" in refused_page.text
    assert "<html" in refused_page.text


def test_an_organisations_users_see_only_that_organisation(store: Store, live_app: LiveApp) -> None:
    mine = sign_in(live_app, "admin@dunmore.test")
    listing = mine.get("/documents?d_q=INV-1001")
    doc_id = re.search(r'href="/documents/(\d+)"', listing.text).group(1)  # type: ignore[union-attr]
    assert mine.get(f"/documents/{doc_id}").status_code == 200
    theirs = sign_in(live_app, "admin@elsewhere.test")
    assert theirs.get(f"/documents/{doc_id}").status_code == 404
    assert "INV-1001" not in theirs.get("/documents").text
    assert "admin@dunmore.test" not in theirs.get("/users").text


def test_sign_out_ends_the_session(live_app: LiveApp) -> None:
    client = sign_in(live_app, "admin@dunmore.test")
    token = csrf_of(client.get("/documents").text)
    old_cookie = client.cookies["lb_session"]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    with httpx.Client(base_url=live_app.base_url, timeout=10, cookies={"lb_session": old_cookie}) as replay:
        assert replay.get("/documents").status_code == 303


def test_users_and_passwords_are_checked(store: Store) -> None:
    with session_scope(store.sessions) as session:
        with pytest.raises(AuthError):
            create_user(session, store.org_id, "short@dunmore.test", "short", "viewer")
        with pytest.raises(AuthError):
            create_user(session, store.org_id, "ADMIN@dunmore.test", PASSWORD, "viewer")
        with pytest.raises(ValueError):
            create_user(session, store.org_id, "new@dunmore.test", PASSWORD, "superuser")
        assert authenticate(session, " Admin@Dunmore.test ", PASSWORD).email == "admin@dunmore.test"
