"""The MYOB connector's writes against the tiny MYOB: one record a call, found again after a lost answer (Number,
DisplayID, the host id in JournalMemo), updates with RowVersion and kept RowIDs (a 409 re-read and sent once
more), voids as deletes or, where the file forbids them, as reversals."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from ledgerbridge.packages.myob.client import MyobClient
from ledgerbridge.packages.myob.connector import MyobConnector
from ledgerbridge.store.views import PartyView

from .conftest import Db
from .test_client import FakeClock
from .test_mapper import ctx, document, export, party
from .tiny_myob import TinyMyob

CHART = {"GeneralLedger/Account": [{"UID": "acc-income", "DisplayID": "4-1000", "Type": "Income", "IsHeader": False},
                                   {"UID": "acc-head", "DisplayID": "4-0000", "Type": "Income", "IsHeader": True},
                                   {"UID": "acc-expense", "DisplayID": "6-1000", "Type": "Expense"}],
         "GeneralLedger/TaxCode": [{"UID": "tax-gst", "Code": "GST", "Rate": 10}, {"UID": "tax-fre", "Code": "FRE",
                                                                                   "Rate": 0}]}


@pytest.fixture
def connector(db: Db, myob: TinyMyob, connection: tuple[int, dict[str, object]]) -> Iterator[MyobConnector]:
    myob.records.update({route: [dict(r) for r in rows] for route, rows in CHART.items()})
    myob.page_size = 1000
    clock = FakeClock()
    with MyobConnector(MyobClient(db.sessions, connection[0], transport=myob.transport(), clock=clock,
                                  sleep=clock.sleep)) as made:
        yield made


def test_the_chart_has_detail_accounts_only_and_tax_codes_by_code(connector: MyobConnector) -> None:
    chart = connector.fetch_chart()
    assert [(a.code, a.usable_for) for a in chart.accounts] == [("4-1000", ("sales",)), ("6-1000", ("purchases",))]
    assert [(t.code, t.rate) for t in chart.tax_rates] == [("GST", Decimal(10)), ("FRE", Decimal(0))]
    assert chart.base_currency == "AUD" and connector.tax_uid("GST") == "tax-gst"


def test_a_card_is_created_with_the_mapped_tax_code_and_found_again_by_display_id(
        connector: MyobConnector, myob: TinyMyob) -> None:
    from ledgerbridge.connectors.protocol import PartyExport

    (made,) = connector.export_parties([PartyExport(1, party(), None, "k")], ctx(), "batch")
    (card,) = myob.records["Contact/Customer"]
    assert made.ok and made.external_id == card["UID"]
    assert card["SellingDetails"]["TaxCode"] == {"UID": "tax-gst"}
    assert connector.find_existing_parties([party()]) == {7: (card["UID"], "Acme Pipes Pty Ltd")}
    assert connector.find_existing_parties([party(is_customer=False)]) == {}  # a supplier card is another record


def test_a_code_longer_than_the_card_id_is_refused_without_a_call(connector: MyobConnector, myob: TinyMyob) -> None:
    from ledgerbridge.connectors.protocol import PartyExport

    long: PartyView = party(code="CUSTOMER-0000001")
    (made,) = connector.export_parties([PartyExport(1, long, None, "k")], ctx(), "batch")
    assert not made.ok and "15 characters" in (made.message or "") and myob.calls == []


def test_an_invoice_goes_out_and_after_a_lost_answer_is_found_not_sent_twice(connector: MyobConnector,
                                                                            myob: TinyMyob) -> None:
    (made,) = connector.export_documents([export(document())], ctx(), "batch")
    (sale,) = myob.records["Sale/Invoice/Service"]
    assert made.ok and made.external_id == sale["UID"] and made.total == Decimal("150.00")
    assert made.external_number == "INV-1001"
    found = connector.find_existing_documents([export(document())])
    assert found[1].external_id == sale["UID"]
    # the number was changed in MYOB: the host id in the journal memo still finds it
    sale["Number"] = "00000042"
    assert connector.find_existing_documents([export(document())])[1].external_id == sale["UID"]


def test_a_credit_note_reads_back_with_the_hosts_sign(connector: MyobConnector, myob: TinyMyob) -> None:
    (made,) = connector.export_documents([export(document("sales_credit_note"))], ctx(), "batch")
    assert made.ok and made.total == Decimal("150.00")
    (sale,) = myob.records["Sale/Invoice/Service"]
    assert sale["TotalAmount"] == -150.0
    sale["Status"] = "Credit"
    remote = connector.read_back_documents([("sales_credit_note", sale["UID"])])[sale["UID"]]
    assert remote.total == Decimal("150.0") and remote.amount_due == Decimal("150.0") and remote.status == "OPEN"


def test_an_update_changed_in_myob_meanwhile_is_re_read_and_sent_once_more(connector: MyobConnector,
                                                                          myob: TinyMyob) -> None:
    (made,) = connector.export_documents([export(document())], ctx(), "batch")
    myob.conflicts = 1
    update = export(document())
    update = type(update)(1, "update", update.document, "cust-uid", made.external_id, "k")
    (again,) = connector.export_documents([update], ctx(), "batch")
    (sale,) = myob.records["Sale/Invoice/Service"]
    assert again.ok and sale["RowVersion"] == "3"  # our PUT on the version saved in MYOB meanwhile
    assert [ln["RowID"] for ln in sale["Lines"]] == [1, 2]  # the lines kept, not replaced
    puts = [c for c in myob.calls if c.method == "PUT"]
    assert len(puts) == 2 and puts[0].body["RowVersion"] == "1" and puts[1].body["RowVersion"] == "2"


def test_a_void_deletes_and_where_the_file_forbids_it_reverses(connector: MyobConnector, myob: TinyMyob) -> None:
    (made,) = connector.export_documents([export(document())], ctx(), "batch")
    void = export(document())
    void = type(void)(1, "void", void.document, "cust-uid", made.external_id, "k")
    myob.refuse_deletes = True
    (done,) = connector.export_documents([void], ctx(), "batch")
    original, reversal = myob.records["Sale/Invoice/Service"]
    assert done.ok and "reversed in MYOB" in (done.message or "")
    assert reversal["TotalAmount"] == -original["TotalAmount"] and reversal["Customer"] == original["Customer"]
    (settled,) = myob.records["Sale/CreditSettlement"]  # the two settled against each other, as MYOB's Reverse
    assert settled["CreditFromInvoice"] == {"UID": reversal["UID"]} and settled["CreditAmount"] == 150.0
    assert settled["Lines"] == [{"Type": "Invoice", "Sale": {"UID": original["UID"]}, "AmountApplied": 150.0}]
    myob.refuse_deletes = False
    (gone,) = connector.export_documents([void], ctx(), "batch")
    assert gone.ok and "deleted in MYOB" in (gone.message or "")
    assert [r["UID"] for r in myob.records["Sale/Invoice/Service"]] == [reversal["UID"]]
