"""Multicurrency on QuickBooks Desktop (``qbd.currency``, the sandbox's ``currency``): sandbox companies of every
edition with it on and off; through the real engine, a customer goes out with its currency, a document in its
customer's currency goes out with its exchange rate and QuickBooks holds it in that currency, and a document in
another currency than its party's is refused at pre-check naming both; with multicurrency off nothing carries a
currency and a document outside the home currency is refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.demo.data import demo_batch
from ledgerbridge.packages.qbd.currency import CURRENCIES_SETTING
from ledgerbridge.packages.qbd.sandbox import CompanyConfig, QuickBooksCompany
from ledgerbridge.store.db import session_scope
from ledgerbridge.store.models.host import Payment
from ledgerbridge.store.models.sync import Connection
from ledgerbridge.sync.importer import PaymentImporter

from .world import open_world

HOME = {"UK": "GBP", "US": "USD", "CA": "CAD"}


def _run(company: QuickBooksCompany, requests: str) -> str:
    return company.process('<?xml version="1.0"?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
                           f"{requests}</QBXMLMsgsRq></QBXML>")


def _euro_month(home: str) -> dict[str, Any]:
    """The demo's month in the home currency, and a customer of Lyon who trades in euros: INV-9001 in euros (its
    rate: home currency for one euro), INV-9002 in euros for a home-currency customer."""
    batch = demo_batch(currency=home)
    batch["parties"].append({"host_id": "C900", "code": "C900", "name": "Fromagerie de Lyon", "is_customer": True,
                             "currency": "EUR", "payment_terms_days": 30})
    template = next(d for d in batch["documents"] if d["number"] == "INV-1001")
    for number, party in (("INV-9001", "C900"), ("INV-9002", template["party_host_id"])):
        batch["documents"].append({**template, "host_id": number, "number": number, "party_host_id": party,
                                   "currency": "EUR", "exchange_rate": "0.85"})
    return batch


@pytest.mark.parametrize("flavour", ["UK", "US", "CA"])
@pytest.mark.parametrize("on", [True, False])
def test_each_edition_with_multicurrency_on_or_off(flavour: str, on: bool) -> None:
    company = QuickBooksCompany(CompanyConfig(flavour=flavour, multi_currency=on))  # type: ignore[arg-type]
    preferences = company.host_response()
    assert f"<IsMultiCurrencyOn>{str(on).lower()}</IsMultiCurrencyOn>" in preferences
    currencies = _run(company, '<CurrencyQueryRq requestID="1"/>')
    named = _run(company, '<CustomerAddRq requestID="1"><CustomerAdd><Name>Somebody</Name><CurrencyRef><FullName>'
                          "Euro</FullName></CurrencyRef></CustomerAdd></CustomerAddRq>")
    plain = _run(company, '<CustomerAddRq requestID="1"><CustomerAdd><Name>Anybody</Name></CustomerAdd>'
                          "</CustomerAddRq>")
    if on:  # the home currency is the edition's; a name takes a currency, the home one when none is sent
        home = {"UK": "British Pound Sterling", "US": "US Dollar", "CA": "Canadian Dollar"}[flavour]
        assert "<HomeCurrencyRef><ListID>" in preferences and f"<FullName>{home}</FullName>" in preferences
        assert f"<CurrencyCode>{HOME[flavour]}</CurrencyCode>" in currencies and "<Name>Euro</Name>" in currencies
        assert 'statusCode="0"' in named and "<FullName>Euro</FullName>" in named
        assert "<CurrencyRef><ListID>" in plain and f"<FullName>{home}</FullName>" in plain
    else:  # a currency is refused, as the feature is off
        assert "HomeCurrencyRef" not in preferences
        assert 'statusCode="3250"' in named and "not enabled" in named
        assert 'statusCode="0"' in plain and "CurrencyRef" not in plain


def test_a_multicurrency_company_takes_each_party_in_its_currency(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions, multi_currency=True, batch=_euro_month("GBP")) as world:
        with session_scope(sessions) as session:
            settings = session.get_one(Connection, world.conn_id).settings
        assert set(settings[CURRENCIES_SETTING]) >= {"GBP", "EUR"}  # the company's currency list, by the chart
        report = world.exporter().upload()
        problems = {p["document"]: p["message"] for p in report.problems}
        assert "INV-9001" not in problems
        assert ("its currency EUR differs from customer " in problems["INV-9002"]
                and "currency (GBP)" in problems["INV-9002"]), problems["INV-9002"]
        assert "INV-9002" not in {t.ref_number for t in world.txns("Invoice")}
        euro = world.one("INV-9001", "Invoice")
        lyon = world.company.books.lists[euro.entity_id]
        currency = world.company.books.lists[lyon.ref_id("CurrencyRef") or ""]
        assert (lyon.name, currency.text("CurrencyCode")) == ("Fromagerie de Lyon", "EUR")
        sent = next(m for m in world.pump.messages if "<RefNumber>INV-9001</RefNumber>" in m)
        assert "<ExchangeRate>0.85</ExchangeRate>" in sent
        answered = _run(world.company, f'<InvoiceQueryRq requestID="1"><TxnID>{euro.txn_id}</TxnID></InvoiceQueryRq>')
        assert "<FullName>Euro</FullName>" in answered and "<ExchangeRate>0.85</ExchangeRate>" in answered
        customer = world.company.books.lists[world.one("INV-1001", "Invoice").entity_id]
        assert world.company.books.lists[customer.ref_id("CurrencyRef") or ""].text("CurrencyCode") == "GBP"
        # QuickBooks keeps a name's currency once it has transactions (3170)
        changed = _run(world.company, f'<CustomerModRq requestID="1"><CustomerMod><ListID>{lyon.list_id}</ListID>'
                                      f"<EditSequence>{lyon.edit_sequence}</EditSequence><CurrencyRef><FullName>"
                                      "US Dollar</FullName></CurrencyRef></CustomerMod></CustomerModRq>")
        assert 'statusCode="3170"' in changed and "cannot be changed" in changed
        # a payment its QuickBooks user receives in euros comes back in euros, allocated to the euro invoice
        world.pay("INV-9001", euro.total)
        importer = PaymentImporter(sessions, world.conn_id, world.connector())
        imported = importer.create_and_allocate(report=importer.fetch())
        assert (imported.created, imported.allocated) == (1, 1), imported.diagnostics
        with session_scope(sessions) as session:
            payment = session.scalars(select(Payment).where(Payment.origin == "package")).one()
            assert (payment.currency, payment.amount) == ("EUR", euro.total)


def test_with_multicurrency_off_nothing_carries_a_currency(sessions: sessionmaker[Session]) -> None:
    with open_world(sessions, batch=_euro_month("GBP")) as world:
        with session_scope(sessions) as session:
            assert CURRENCIES_SETTING not in (session.get_one(Connection, world.conn_id).settings or {})
        report = world.exporter().upload()
        problems = {p["document"]: p["message"] for p in report.problems}
        assert {"INV-9001", "INV-9002"} <= set(problems)
        assert all("EUR" in problems[n] for n in ("INV-9001", "INV-9002"))
        assert not any("<CurrencyRef>" in m for m in world.pump.messages)
        assert world.one("INV-1001", "Invoice").total > Decimal(0)
