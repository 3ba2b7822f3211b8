"""A NUL in any form the screens post (or in a screen's query string) is a 422 page naming the field, never a 500
(PostgreSQL refuses NUL in text) and never stored (SQLite would keep it and send it on to the package).

Every POST route of the screens is tried, on both stores, with a form that is otherwise what the page sends."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from dbfixtures import every_row
from fastapi.testclient import TestClient
from intake.factories import unconsented_books
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge import web
from ledgerbridge.api.app import create_app
from ledgerbridge.packages.registry import DEFAULT
from ledgerbridge.store.organisations import create_organisation
from ledgerbridge.web.auth import create_admin

PASSWORD = "a long enough password"
NUL = "\x00"
PAGE = {"Accept": "text/html"}
#: Sign-in and sessions change on every visit; the sign-in throttle counts the refused sign-in.
MOVING = frozenset({"audit_events", "alembic_version", "web_sessions", "sign_in_failures"})


@dataclass(frozen=True)
class Screens:
    client: TestClient
    csrf: str
    document_id: int
    engine: Engine


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


@pytest.fixture
def screens(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[Screens]:
    """An administrator signed in, with a connection (never consented), a sales invoice pending and a bill."""
    with sessions() as session:
        org = create_organisation(session, "Komet Flowers")
        create_admin(session, org.id, "ada@komet.test", PASSWORD)
        _conn_id, document_id = unconsented_books(session, org.id)
    with TestClient(create_app(engine, run_worker=False), follow_redirects=False) as client:
        page = client.get("/login")
        signed = client.post("/login", data={"email": "ada@komet.test", "password": PASSWORD,
                                             "csrf_token": _csrf(page.text), "next": "/export"})
        assert signed.status_code == 303, signed.text
        yield Screens(client, _csrf(client.get("/export").text), document_id, engine)


#: Each POST of the screens: a form as its page sends it, with a NUL in the field named first.
FORMS: dict[str, tuple[str, dict[str, str]]] = {
    "/logout": ("note", {}),
    "/users": ("name", {"email": "new@komet.test", "password": PASSWORD, "role": "viewer"}),
    "/connection/connect": ("client_id", {"client_secret": "s", "package": DEFAULT.kind}),
    "/connection/choose": ("tenant_id", {}),
    "/connection/disconnect": ("note", {}),
    "/connection/polled/password": ("note", {}),
    "/export/action": ("reference", {"action": "mark_exported", "selected": "{document_id}"}),
    "/import/action": ("action", {}),
    "/parties/action": ("settle:customer:1", {"action": "commit", "preview_job_id": "1"}),
    "/mapping/refresh": ("note", {}),
    "/mapping": ("nominal:4000", {"relax": "1"}),
    "/settings": ("rounding_account", {"reference_field": "order_number"}),
    "/purchases/action": ("number", {"action": "procurement"}),
    "/purchases/rules": ("note", {"approval_required": "on"}),
    "/numbering": ("prefix:sales_invoice", {"next:sales_invoice": "5000"}),
}


def _post_routes(router: Any) -> Iterator[str]:
    for route in router.routes:
        if hasattr(route, "original_router"):  # FastAPI keeps an included router whole
            yield from _post_routes(route.original_router)
        elif "POST" in getattr(route, "methods", ()):
            yield route.path


def test_every_form_of_the_screens_is_tried() -> None:
    assert set(_post_routes(web.router)) == set(FORMS) | {"/login"}


@pytest.mark.parametrize("path", FORMS)
def test_a_nul_in_a_form_is_a_page_naming_the_field_and_nothing_is_saved(screens: Screens, path: str) -> None:
    field, others = FORMS[path]
    form = {key: value.format(document_id=screens.document_id) for key, value in others.items()}
    before = every_row(screens.engine, MOVING)

    answer = screens.client.post(path, headers=PAGE,
                                 data={**form, field: f"PI-1{NUL}x", "csrf_token": screens.csrf})

    assert answer.status_code == 422, answer.text
    assert "text/html" in answer.headers["content-type"]
    assert f"The field &#34;{field}&#34; must not contain a NUL character" in answer.text, answer.text
    assert every_row(screens.engine, MOVING) == before


def test_a_nul_in_the_sign_in_form_is_refused(engine: Engine, sessions: sessionmaker[Session]) -> None:
    with TestClient(create_app(engine, run_worker=False), follow_redirects=False) as client:
        page = client.get("/login")
        answer = client.post("/login", headers=PAGE, data={"email": f"ada{NUL}@komet.test", "password": PASSWORD,
                                                           "csrf_token": _csrf(page.text)})
    assert answer.status_code == 422 and "&#34;email&#34;" in answer.text, answer.text


@pytest.mark.parametrize("url", ["/documents?d_q=INV%00", "/export?p_type=sales%00", "/audit?record=INV%00-1",
                                 "/purchases?status=Approved%00"])
def test_a_nul_in_a_screens_query_is_a_page_naming_the_parameter(screens: Screens, url: str) -> None:
    answer = screens.client.get(url, headers=PAGE)
    name = url.split("?")[1].split("=")[0]
    assert answer.status_code == 422, answer.text
    assert f"The address&#39;s parameter &#34;{name}&#34; must not contain a NUL" in answer.text, answer.text
