"""The Mapping tab (R-I5): the host's codes on one side, the package's refreshed chart on the other.

Only suitable entries are offered (revenue accounts for sales nominals, bank accounts
for payment methods, sales or purchase tax rates for each side) unless the user relaxes
the restrictions; codes used by pending documents and still unmapped come first,
because they are what stops the next upload.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerbridge.connectors.connections import connector_for, refresh_chart
from ledgerbridge.connectors.limits import answer_now
from ledgerbridge.domain.accounting_settings import ConnectionSettings
from ledgerbridge.store.models.host import Document, DocumentLine, NominalCode, PaymentMethod, TaxCode
from ledgerbridge.store.models.sync import ChartEntry, RecordType, SyncRecord
from ledgerbridge.sync.mappings import MappingError, MappingKind, MappingSet, load_mapping_set, set_mapping
from ledgerbridge.web.common import Db, User, back, checked_form, connection_of, render
from ledgerbridge.web.queries import OPEN_STATUSES

router = APIRouter()
NEVER_POSTED = ("stock", "cost_of_sale")  # R-E11: never mapped nor posted
SIDE_OF_NOMINAL = {"sales": "sales", "other_income": "sales", "purchases": "purchases", "expense": "purchases",
                   "bank": "bank"}


@dataclass(frozen=True, slots=True)
class Choice:
    code: str
    label: str


@dataclass(slots=True)
class MappingRow:
    kind: str
    code: str
    name: str
    current: str
    choices: list[Choice]
    used_by_pending: bool
    note: str = ""


def _pending_codes(session: Session, connection_id: int) -> tuple[set[str], set[str]]:
    rows = session.execute(
        select(DocumentLine.nominal_code, DocumentLine.tax_code).join(Document, Document.id == DocumentLine.document_id)
        .join(SyncRecord, (SyncRecord.record_id == Document.id) & (SyncRecord.record_type == RecordType.DOCUMENT.value))
        .where(SyncRecord.connection_id == connection_id, SyncRecord.status.in_(OPEN_STATUSES)).distinct()).all()
    return {r[0] for r in rows if r[0] is not None}, {r[1] for r in rows}  # None: a settings default (R-C4)


def _accounts(session: Session, connection_id: int, side: str | None, relax: bool) -> list[Choice]:
    rows = session.scalars(select(ChartEntry).where(ChartEntry.connection_id == connection_id,
                                                    ChartEntry.kind == "account", ChartEntry.active.is_(True))
                           .order_by(ChartEntry.code)).all()
    return [Choice(r.code, f"{r.code} {r.name} ({(r.category or '').lower()})") for r in rows
            if relax or side is None or side in (r.usable_for or [])]


def _rates(session: Session, connection_id: int, side: str, relax: bool) -> list[Choice]:
    rows = session.scalars(select(ChartEntry).where(ChartEntry.connection_id == connection_id,
                                                    ChartEntry.kind == "tax_rate", ChartEntry.active.is_(True))
                           .order_by(ChartEntry.code)).all()
    return [Choice(r.code, f"{r.code} {r.name} ({_percent(r.rate)}%)") for r in rows
            if relax or side in (r.usable_for or [])]


def _percent(rate: Decimal | None) -> str:
    return format((rate or Decimal(0)).normalize(), "f")


def _first_unmapped_used(rows: list[MappingRow]) -> list[MappingRow]:
    return sorted(rows, key=lambda r: (not (r.used_by_pending and not r.current), r.code))


def mapping_rows(session: Session, org_id: int, connection_id: int, ms: MappingSet,
                 relax: bool) -> dict[str, list[MappingRow]]:
    nominals_used, taxes_used = _pending_codes(session, connection_id)
    account_choices = {side: _accounts(session, connection_id, side, relax) for side in ("sales", "purchases", "bank")}
    all_accounts = _accounts(session, connection_id, None, True)
    nominal: list[MappingRow] = []
    for code in session.scalars(select(NominalCode).where(NominalCode.organisation_id == org_id)):
        never = code.type in NEVER_POSTED
        side = SIDE_OF_NOMINAL.get(code.type)
        nominal.append(MappingRow(MappingKind.NOMINAL.value, code.code, f"{code.name} ({code.type.replace('_', ' ')})",
                                  ms.nominal.get(code.code, ""), [] if never else
                                  (account_choices[side] if side else all_accounts),
                                  code.code in nominals_used,
                                  "never posted (stock and cost of sale stay in the host)" if never else ""))
    sales_rates = _rates(session, connection_id, "sales", relax)
    purchase_rates = _rates(session, connection_id, "purchases", relax)
    tax: list[MappingRow] = []
    for tc in session.scalars(select(TaxCode).where(TaxCode.organisation_id == org_id)):
        label = f"{tc.name} ({tc.rate}%)"
        tax.append(MappingRow(MappingKind.TAX.value, tc.code, label, ms.tax.get(tc.code, ""), sales_rates,
                              tc.code in taxes_used))
        tax.append(MappingRow(MappingKind.TAX_PURCHASES.value, tc.code, label, ms.tax_purchases.get(tc.code, ""),
                              purchase_rates, tc.code in taxes_used))
    methods = [MappingRow(MappingKind.PAYMENT_METHOD.value, pm.code, pm.name, ms.payment_method.get(pm.code, ""),
                          account_choices["bank"], False)
               for pm in session.scalars(select(PaymentMethod).where(PaymentMethod.organisation_id == org_id))]
    return {"nominal": _first_unmapped_used(nominal), "tax": _first_unmapped_used(tax), "payment_method": methods}


@router.get("/mapping", response_class=HTMLResponse)
def mapping_page(request: Request, session: Db, user: User) -> Response:
    conn = connection_of(session, user)
    if conn is None:
        return render(request, "mapping.html", user, "mapping", conn=None)
    settings = ConnectionSettings.from_json(conn.settings)
    relax = request.query_params.get("relax", "1" if settings.relax_restrictions else "0") == "1"
    ms = load_mapping_set(session, conn.id)
    refreshed = session.scalar(select(ChartEntry.refreshed_at).where(ChartEntry.connection_id == conn.id).limit(1))
    rows = mapping_rows(session, user.organisation_id, conn.id, ms, relax)
    return render(request, "mapping.html", user, "mapping", conn=conn, rows=rows, relax=relax,
                  chart_loaded=ms.chart_loaded, refreshed=refreshed)


@router.post("/mapping/refresh")
async def refresh(request: Request, session: Db, user: User) -> Response:
    await checked_form(request, user, "configure")
    conn = connection_of(session, user)
    if conn is None or conn.status != "connected":
        return back("/mapping", err="Connect to the accounting package first (Connection page).")
    sessions = request.app.state.ledgerbridge.sessions
    try:
        with answer_now(), closing(connector_for(sessions, conn.id)) as connector:
            counts = refresh_chart(sessions, conn.id, connector, actor=f"web:{user.email}")
    except Exception as exc:  # noqa: BLE001 - shown to the user; the audit trail has the details
        return back("/mapping", err=f"The chart could not be refreshed: {exc}")
    return back("/mapping", msg=f"Chart of accounts refreshed: {counts['accounts']} accounts, "
                                f"{counts['tax_rates']} tax rates, {counts['currencies']} currencies.")


@router.post("/mapping")
async def save_mappings(request: Request, session: Db, user: User) -> Response:
    form = await checked_form(request, user, "configure")
    conn = connection_of(session, user)
    if conn is None:
        return back("/mapping", err="Connect first.")
    relax = form.get("relax") == "1"
    ms = load_mapping_set(session, conn.id)
    saved, problems = 0, []
    for key, value in form.items():
        kind_name, _, code = key.partition(":")
        if not code or kind_name not in MappingKind._value2member_map_ or not isinstance(value, str) or not value:
            continue
        kind = MappingKind(kind_name)
        if getattr(ms, kind.value).get(code) == value:
            continue
        try:
            set_mapping(session, conn.id, kind, code, value, relax_restrictions=relax)
            saved += 1
        except MappingError as exc:
            problems.append(f"{code}: {exc}")
    session.commit()
    relax_arg = "1" if relax else "0"
    if problems:
        return back("/mapping", err=" ".join(problems), msg=f"Saved {saved} mapping(s).", relax=relax_arg)
    return back("/mapping", msg=f"Saved {saved} mapping(s). Run Pre-Check on the Export tab to see what is left.",
                relax=relax_arg)
