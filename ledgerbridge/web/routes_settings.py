"""The Settings tab (R-C4): the connection's accounting settings, saved only with "Save Accounting Settings".

Nothing is saved half-checked: the reference field must be one the host fills, and
every account must be in the package's refreshed chart (a bank account where payments
land), because a wrong account is only found by the package at upload time otherwise.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.domain.accounting_settings import ACCOUNT_SETTINGS, REFERENCE_FIELDS, ConnectionSettings
from ledgerbridge.packages.registry import UnknownPackage, spec_for
from ledgerbridge.store.models.host import PaymentMethod
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.settings_check import settings_problems
from ledgerbridge.web.common import Db, User, back, checked_form, connection_of, render
from ledgerbridge.web.routes_mapping import _accounts

router = APIRouter()

FLAGS = {
    "push_individual_lines": "Push individual lines (off: one line per nominal and tax code)",
    "push_lines_as_items": "Push lines as items",
    "push_work_undertaken": "Push work undertaken (the long description)",
    "relax_restrictions": "Relax restrictions (offer every account when mapping)",
    "item_sync": "Export stock items (not recommended)",
    "payments_both_ways": "Payments both ways (payments taken here go to the package)",
    "allocation_sync": "Allocation sync (credit-note, prepayment and overpayment allocations both ways)",
    "auto_sync": "Automatic sync",
}
#: Settings only some packages read (their spec's ``own_settings``), shown for those packages' connections only.
OWN_SETTINGS = {
    "bill_reference": "Bill reference rule: a purchase invoice's number in the package, from {po} (the purchase "
                      "order's number), {number} (the supplier's invoice number), {order_number}, {customer_po}, "
                      "{work_order} or {site_address}; empty: the supplier's invoice number",
    "suppliers_must_exist": "Suppliers must exist in the package under exactly their name here (none is created)",
}
OWN_FLAGS = {"suppliers_must_exist"}
ACCOUNTS = {name: (spec.label, spec.needs) for name, spec in ACCOUNT_SETTINGS.items()}
REFERENCE_LABELS = {"order_number": "Order number", "customer_po": "Customer PO number",
                    "site_address": "Site address", "work_order": "Work-order number"}


def _own(conn: Connection) -> tuple[str, ...]:
    """The settings of the connection's package alone, in the screen's order."""
    try:
        names = spec_for(conn.kind).own_settings
    except UnknownPackage:
        return ()
    return tuple(n for n in OWN_SETTINGS if n in names)


def validate(session: Session, conn: Connection, values: dict[str, Any]) -> list[str]:
    return settings_problems(session, conn, ConnectionSettings.from_json(values))


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, session: Db, user: User) -> Response:
    conn = connection_of(session, user)
    if conn is None:
        return render(request, "settings.html", user, "settings", conn=None)
    current = ConnectionSettings.from_json(conn.settings)
    methods = session.scalars(select(PaymentMethod).where(PaymentMethod.organisation_id == user.organisation_id)
                              .order_by(PaymentMethod.code)).all()
    accounts = {name: _accounts(session, conn.id, needs, current.relax_restrictions)
                for name, (_label, needs) in ACCOUNTS.items()}
    own = {name: OWN_SETTINGS[name] for name in _own(conn)}
    return render(request, "settings.html", user, "settings", conn=conn, s=current, flags=FLAGS,
                  account_fields=ACCOUNTS, accounts=accounts, methods=methods, own_settings=own, own_flags=OWN_FLAGS,
                  reference_fields=[(f, REFERENCE_LABELS.get(f, f)) for f in REFERENCE_FIELDS])


@router.post("/settings")
async def save_settings(request: Request, session: Db, user: User) -> Response:
    form = await checked_form(request, user, "configure")
    conn = connection_of(session, user)
    if conn is None:
        return back("/settings", err="Connect first.")
    values: dict[str, Any] = {}
    own = _own(conn)
    current = ConnectionSettings.from_json(conn.settings)
    for f in fields(ConnectionSettings):
        if f.name in OWN_SETTINGS and f.name not in own:
            values[f.name] = getattr(current, f.name)  # not on this screen: kept as it is
        elif f.name in FLAGS or f.name in OWN_FLAGS:
            values[f.name] = form.get(f.name) == "on"
        elif f.name in form:
            values[f.name] = str(form[f.name]).strip() or None
    values["reference_field"] = values.get("reference_field") or "order_number"
    problems: list[str] = []
    minutes = values.get("auto_payments_minutes")
    try:
        values["auto_payments_minutes"] = float(minutes) if minutes else None
    except ValueError:
        problems.append("Payment import interval: enter a number of minutes")
        values["auto_payments_minutes"] = None
    problems += validate(session, conn, values)
    start = str(form.get("start_date") or "").strip()
    try:
        start_date = date.fromisoformat(start) if start else None
    except ValueError:
        problems.append("Start date: enter a date")
        start_date = None
    if problems:
        return back("/settings", err="Not saved: " + "; ".join(problems) + ".")
    conn.settings = ConnectionSettings.from_json(values).merged_into(conn.settings)
    conn.start_date = start_date
    session.commit()
    return back("/settings", msg="Accounting settings saved.")
