"""A sandbox QuickBooks company per test, and :class:`Qb`, which sends it qbXML and checks every answer against the
qbXML schema of the request's version (``tests/contract_checks/qbxml.py``) before a test reads it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from ledgerbridge.packages.qbd.sandbox.company import QuickBooksCompany
from ledgerbridge.packages.qbd.sandbox.config import CompanyConfig, Flavour, ManualClock
from tests.contract_checks.qbxml import check_qbxml

START = datetime(2025, 3, 1, 9, 0, 0, tzinfo=timezone(timedelta(hours=-8)))


class Qb:
    """Talks qbXML to one company: ``run`` sends requests and returns the parsed ``QBXMLMsgsRs``."""

    def __init__(self, company: QuickBooksCompany, clock: ManualClock) -> None:
        self.company = company
        self.clock = clock

    def message(self, body: str, version: str = "13.0", on_error: str = "stopOnError", attrs: str = "") -> str:
        return (f'<?xml version="1.0" encoding="utf-8"?><?qbxml version="{version}"?><QBXML>'
                f'<QBXMLMsgsRq onError="{on_error}"{attrs}>{body}</QBXMLMsgsRq></QBXML>')

    def run(self, body: str, version: str = "13.0", on_error: str = "stopOnError", attrs: str = "") -> etree._Element:
        request = self.message(body, version, on_error, attrs)
        check_qbxml(request, version)  # the tests' own requests are valid too, unless a test says otherwise
        answer = self.company.process(request)
        check_qbxml(answer, version)
        root = etree.fromstring(answer.encode())
        messages = root.find("QBXMLMsgsRs")
        assert messages is not None
        return messages

    def one(self, body: str, version: str = "13.0") -> etree._Element:
        """Run a single request and return its ``…Rs``."""
        return self.run(body, version)[0]

    def ok(self, body: str, version: str = "13.0") -> etree._Element:
        """Run a single request that must succeed; returns its first Ret (or the Rs when it has none)."""
        rs = self.one(body, version)
        assert rs.get("statusCode") == "0", rs.get("statusMessage")
        return rs[0] if len(rs) else rs

    # -- shorthands for the objects most tests need ----------------------------------------------------------

    def customer(self, name: str, extra: str = "") -> etree._Element:
        return self.ok(f"<CustomerAddRq><CustomerAdd><Name>{name}</Name>{extra}</CustomerAdd></CustomerAddRq>")

    def vendor(self, name: str, extra: str = "") -> etree._Element:
        return self.ok(f"<VendorAddRq><VendorAdd><Name>{name}</Name>{extra}</VendorAdd></VendorAddRq>")

    def invoice(self, customer: str, lines: str, extra: str = "", ref: str | None = None) -> etree._Element:
        ref_part = f"<RefNumber>{ref}</RefNumber>" if ref else ""
        return self.ok(f"<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>{customer}</FullName></CustomerRef>"
                       f"<TxnDate>2025-03-01</TxnDate>{ref_part}{extra}{lines}</InvoiceAdd></InvoiceAddRq>")

    def bill(self, vendor: str, lines: str, ref: str = "B-1", extra: str = "") -> etree._Element:
        return self.ok(f"<BillAddRq><BillAdd><VendorRef><FullName>{vendor}</FullName></VendorRef>"
                       f"<TxnDate>2025-03-01</TxnDate><RefNumber>{ref}</RefNumber>{extra}{lines}</BillAdd></BillAddRq>")


def line(amount: str, item: str = "Consulting", desc: str = "Work") -> str:
    return (f"<InvoiceLineAdd><ItemRef><FullName>{item}</FullName></ItemRef><Desc>{desc}</Desc>"
            f"<Amount>{amount}</Amount></InvoiceLineAdd>")


def expense(amount: str, account: str = "Office Supplies") -> str:
    return (f"<ExpenseLineAdd><AccountRef><FullName>{account}</FullName></AccountRef><Amount>{amount}</Amount>"
            "</ExpenseLineAdd>")


def make_qb(flavour: Flavour = "US", max_version: str = "16.0") -> Qb:
    clock = ManualClock(START)
    return Qb(QuickBooksCompany(CompanyConfig(flavour=flavour, max_qbxml_version=max_version, clock=clock)), clock)


@pytest.fixture
def qb() -> Iterator[Qb]:
    yield make_qb()
