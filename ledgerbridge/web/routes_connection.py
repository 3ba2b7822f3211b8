"""The Connection page (R-C1..R-C3): connect through the package's consent, choose the company, disconnect.

The browser itself goes to the consent page (the package's, or a sandbox's) and is sent
back to ``/oauth/callback`` here, so the redirect URI is this app's own address. The
callback only trusts a ``state`` we issued for a connection of the signed-in user's
organisation.

Package-neutral: the user picks the package when connecting; from then on every step (consent, the
choice of company, disconnect and reconnect, health) goes through ``auth_flows.flow_for(conn.kind)``,
so a QuickBooks Online connection uses the same screens as a Xero one. A package that counts calls per app across
every company (``PackageSpec.app_limits``) has the key's budget shown beside the connection's health
(``connectors.app_key_usage``).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ledgerbridge.audit.trail import audit
from ledgerbridge.connectors.app_key_usage import AppKeyUsage, app_key_usage
from ledgerbridge.connectors.auth_flows import connection_health, flow_for
from ledgerbridge.connectors.host_connect import (
    SANDBOX_CLIENT,
    ClientChoice,
    ConnectRefused,
    restart_connection,
    start_connection,
)
from ledgerbridge.connectors.oauth import ConsentError
from ledgerbridge.packages.registry import DEFAULT
from ledgerbridge.packages.registry import PACKAGES as REGISTERED
from ledgerbridge.store.models.sync import Connection, OAuthState
from ledgerbridge.web import password_view
from ledgerbridge.web.common import Db, User, back, checked_form, connection_of, render
from ledgerbridge.web.routes_parties import import_offered

router = APIRouter()

#: The packages a user can connect to, as the screens name them (every one has a connector and a flow).
PACKAGES = {spec.kind: spec.name for spec in REGISTERED}
#: Those that poll us: set up with a password and a file for their program, not a consent page.
POLLED = {spec.kind: spec.polled for spec in REGISTERED if spec.polled is not None}


def callback_url(request: Request) -> str:
    return str(request.url_for("oauth_callback"))


@router.get("/connection", response_class=HTMLResponse)
def connection_page(request: Request, session: Db, user: User) -> Response:
    conn = connection_of(session, user)
    health = connection_health(session, conn) if conn else None
    return _page(request, user, conn, health, key_budget=app_key_usage(session, conn) if conn else None,
                 offer_import=conn is not None and import_offered(session, conn))


def _page(request: Request, user: User, conn: Connection | None, health: object,
          new_password: str | None = None, password_shown: bool = False,
          key_budget: AppKeyUsage | None = None, offer_import: bool = False) -> Response:
    polled = POLLED.get(conn.kind) if conn else None
    return render(request, "connection.html", user, "connection", conn=conn, health=health, key_budget=key_budget,
                  callback=callback_url(request), sandbox_client=SANDBOX_CLIENT, packages=PACKAGES,
                  polled_kinds={k: p.program for k, p in POLLED.items()},
                  package=PACKAGES.get(conn.kind, conn.kind) if conn else None,
                  program=polled.program if polled else None, new_password=new_password,
                  password_shown=password_shown, offer_import=offer_import)


@router.post("/connection/connect")
async def connect(request: Request, session: Db, user: User) -> Response:
    """Connect or reconnect: send the browser to the consent page ("Allow access")."""
    form = await checked_form(request, user, "configure")
    conn = connection_of(session, user)
    redirect_uri = callback_url(request)
    if conn is None:
        kind = str(form.get("package") or DEFAULT.kind)
        if kind not in PACKAGES:
            return back("/connection", err=f"Choose one of the packages: {', '.join(PACKAGES.values())}.")
        client = ClientChoice(str(form.get("client_id") or ""), str(form.get("client_secret") or ""),
                              str(form.get("sandbox_url") or "").strip() or None)
        try:
            started = start_connection(session, user.organisation_id, kind, redirect_uri=redirect_uri,
                                       client=client, actor=user.email)
        except ConnectRefused as exc:
            return back("/connection", err=f"Not connected: {exc.message}.")
        again = False
    else:
        started = restart_connection(session, conn, actor=user.email, redirect_uri=redirect_uri)
        again = True
    session.commit()
    if started.consent_url is not None:
        return RedirectResponse(started.consent_url, status_code=303)
    if again:
        return back("/connection", msg=f"Connected again: {started.program} is let in with a new password "
                                       "(set one below if it was disconnected).")
    return back("/connection", msg=f"{PACKAGES[started.connection.kind]} added. Next: set {started.program}'s "
                                   "password and add the setup file to it (below).")


@router.get("/oauth/callback", response_class=HTMLResponse, name="oauth_callback")
def oauth_callback(request: Request, session: Db, user: User) -> Response:
    params = request.query_params
    if params.get("error"):
        return back("/connection", err=f"The consent was not given ({params.get('error')}).")
    pending = session.get(OAuthState, params.get("state") or "")
    conn = session.get(Connection, pending.connection_id) if pending else None
    if conn is None or conn.organisation_id != user.organisation_id:
        return back("/connection", err="This consent answer does not match a consent started here: connect again.")
    if not user.can("configure"):
        raise HTTPException(403, "Your role cannot connect the accounting package.")
    try:
        tenants = flow_for(conn.kind).complete_consent(session, conn, str(request.url))
    except (ConsentError, ValueError) as exc:
        session.commit()
        return back("/connection", err=str(exc))
    session.commit()
    return render(request, "choose_company.html", user, "connection", conn=conn, tenants=tenants,
                  package=PACKAGES.get(conn.kind, conn.kind))


@router.post("/connection/choose")
async def choose_company(request: Request, session: Db, user: User) -> Response:
    form = await checked_form(request, user, "configure")
    conn = connection_of(session, user)
    if conn is None:
        return back("/connection", err="Connect first.")
    try:
        tenant = flow_for(conn.kind).choose_tenant(session, conn, str(form.get("tenant_id") or ""))
    except ConsentError as exc:
        session.commit()
        return back("/connection", err=str(exc))
    session.commit()
    return back("/connection", msg=f"Connected to {tenant.tenant_name}. Next: refresh the chart on the Mapping tab.")


@router.post("/connection/disconnect")
async def disconnect(request: Request, session: Db, user: User) -> Response:
    await checked_form(request, user, "configure")
    conn = connection_of(session, user)
    if conn is None:
        return back("/connection", err="There is no connection to disconnect.")
    problems = flow_for(conn.kind).disconnect(session, conn)
    session.commit()
    note = " ".join(problems)
    return back("/connection", msg="Disconnected; every export record is kept, so reconnecting sends nothing twice."
                + (f" Note: {note}" if note else ""))


@router.post(password_view.PATH)
async def new_password(request: Request, session: Db, user: User) -> Response:
    """A new password for the program that polls us; the page it redirects to shows it once
    (``password_view``: a reload neither posts again nor shows it again)."""
    await checked_form(request, user, "configure")
    conn = connection_of(session, user)
    if conn is None or conn.kind not in POLLED:
        return back("/connection", err="This connection has no program that polls it.")
    password = POLLED[conn.kind].new_password(session, conn)
    conn.status = "connected"
    audit(session, conn, user.email, password_view.ACTION, outcome="ok", detail=POLLED[conn.kind].program)
    session.flush()
    response = RedirectResponse(password_view.PATH, status_code=303)
    password_view.hand_over(response, request, session, conn, user, password)
    session.commit()
    return response


@router.get(password_view.PATH, response_class=HTMLResponse)
def password_page(request: Request, session: Db, user: User) -> Response:
    """The Connection page with the new password, once; opened again, it says the password was already shown."""
    conn = connection_of(session, user)
    if conn is None or conn.kind not in POLLED:
        return back("/connection")
    password = password_view.take(request, session, conn, user)
    page = _page(request, user, conn, connection_health(session, conn), new_password=password,
                 password_shown=password is None)
    password_view.forget(page, request)
    return page


@router.get("/connection/polled/setup-file")
def setup_file(request: Request, session: Db, user: User) -> Response:
    """The file the user adds to the program that polls us (the Web Connector's .qwc), for this app's address."""
    conn = connection_of(session, user)
    if conn is None or conn.kind not in POLLED:
        raise HTTPException(404, "This connection has no program that polls it.")
    if not user.can("configure"):
        raise HTTPException(403, "Your role cannot set up the connection.")
    try:
        name, content = POLLED[conn.kind].setup_file(session, conn, str(request.base_url))
    except ValueError as exc:
        return back("/connection", err=str(exc))
    session.commit()
    return Response(content, media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
