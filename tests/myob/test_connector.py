"""The MYOB connector's writes against the MYOB sandbox over loopback: one record a call, found again after a lost
answer (Number, DisplayID, the host id in JournalMemo), updates with RowVersion and kept RowIDs (a 409 re-read and
sent once more), voids as deletes or, where the file forbids them, as reversals."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from ledgerbridge.connectors.protocol import DocumentExport, PartyExport
from ledgerbridge.packages.myob.connector import MyobConnector
from ledgerbridge.packages.myob.sandbox.config import DEFAULT_BUSINESSES
from ledgerbridge.packages.myob.sandbox.seed import tax_code_uid
from ledgerbridge.store.views import DocumentView, PartyView

from .conftest import BUSINESS, Myob
from .test_mapper import ctx, document, party

AU_SEED = DEFAULT_BUSINESSES[0]
TAX_CODES = {"TaxCode": {"UID": tax_code_uid(AU_SEED, "GST")}, "FreightTaxCode": {"UID": tax_code_uid(AU_SEED, "FRE")}}


@pytest.fixture
def customer(myob: Myob) -> str:
    """The card the documents are for, made in MYOB (the sandbox checks the link)."""
    return str(myob.post("Contact/Customer", {"CompanyName": "Acme Pipes Pty Ltd", "IsIndividual": False,
                                              "SellingDetails": TAX_CODES})["UID"])


def export(doc: DocumentView, customer: str, action: str = "create", uid: str | None = None) -> DocumentExport:
    return DocumentExport(1, action, doc, customer, uid, "k")


def test_the_chart_has_detail_accounts_only_and_tax_codes_by_code(connector: MyobConnector) -> None:
    chart = connector.fetch_chart()
    usable = {a.code: a.usable_for for a in chart.accounts}
    assert usable["4-1000"] == ("sales",) and usable["6-1000"] == ("purchases",)
    assert not {"1-0000", "2-0000", "4-0000", "5-0000", "6-0000"} & set(usable)  # the seed's headers
    rates = {t.code: t.rate for t in chart.tax_rates}
    assert rates["GST"] == Decimal(10) and rates["FRE"] == Decimal(0)
    assert chart.base_currency == "AUD" and connector.tax_uid("GST") == tax_code_uid(AU_SEED, "GST")


def test_a_card_is_created_with_the_mapped_tax_code_and_found_again_by_display_id(
        connector: MyobConnector, myob: Myob) -> None:
    (made,) = connector.export_parties([PartyExport(1, party(), None, "k")], ctx(), "batch")
    (listed,) = myob.items("Contact/Customer")
    card = myob.get("Contact/Customer", listed["UID"])
    assert made.ok and made.external_id == card["UID"]
    assert card["SellingDetails"]["TaxCode"]["UID"] == tax_code_uid(AU_SEED, "GST")
    assert connector.find_existing_parties([party()]) == {7: (card["UID"], "Acme Pipes Pty Ltd")}
    assert connector.find_existing_parties([party(is_customer=False)]) == {}  # a supplier card is another record


def test_a_code_longer_than_the_card_id_is_refused_without_a_call(connector: MyobConnector, myob: Myob) -> None:
    long: PartyView = party(code="CUSTOMER-0000001")
    (made,) = connector.export_parties([PartyExport(1, long, None, "k")], ctx(), "batch")
    assert not made.ok and "15 characters" in (made.message or "") and myob.calls == []


def test_an_invoice_goes_out_and_after_a_lost_answer_is_found_not_sent_twice(connector: MyobConnector,
                                                                            myob: Myob, customer: str) -> None:
    (made,) = connector.export_documents([export(document(), customer)], ctx(), "batch")
    (sale,) = myob.items("Sale/Invoice/Service")
    assert made.ok and made.external_id == sale["UID"] and made.total == Decimal("165.00")  # 150 net + 15 GST
    assert made.external_number == "INV-1001"
    found = connector.find_existing_documents([export(document(), customer)])
    assert found[1].external_id == sale["UID"]
    # the number was changed in MYOB: the host id in the journal memo still finds it
    edited = {**myob.get("Sale/Invoice/Service", sale["UID"]), "Number": "00000042"}
    assert myob.api.put(f"Sale/Invoice/Service/{sale['UID']}", json=edited).status_code == 200
    assert connector.find_existing_documents([export(document(), customer)])[1].external_id == sale["UID"]


def test_a_credit_note_reads_back_with_the_hosts_sign(connector: MyobConnector, myob: Myob, customer: str) -> None:
    (made,) = connector.export_documents([export(document("sales_credit_note"), customer)], ctx(), "batch")
    assert made.ok and made.total == Decimal("165.00")
    (sale,) = myob.items("Sale/Invoice/Service")
    assert sale["TotalAmount"] == -165.0 and sale["Status"] == "Credit"  # MYOB has no credit note: a negative sale
    remote = connector.read_back_documents([("sales_credit_note", sale["UID"])])[sale["UID"]]
    assert remote.total == Decimal("165.0") and remote.amount_due == Decimal("165.0") and remote.status == "OPEN"


def test_an_update_changed_in_myob_meanwhile_is_re_read_and_sent_once_more(connector: MyobConnector,
                                                                          myob: Myob, customer: str) -> None:
    (made,) = connector.export_documents([export(document(), customer)], ctx(), "batch")
    assert made.external_id is not None
    created = myob.get("Sale/Invoice/Service", made.external_id)
    route = f"Sale/Invoice/Service/{made.external_id}"
    meanwhile: list[str] = []

    def user_saves_it(request: httpx.Request) -> None:
        """A MYOB user saves the sale, unchanged, between our read and our first PUT: a new RowVersion."""
        if request.method == "PUT" and not meanwhile:
            saved = myob.api.put(route, params={"returnBody": "true"}, json=myob.get("Sale/Invoice/Service",
                                                                                     made.external_id or ""))
            assert saved.status_code == 200, saved.text
            meanwhile.append(myob.get("Sale/Invoice/Service", made.external_id or "")["RowVersion"])

    myob.wire.before.append(user_saves_it)
    (again,) = connector.export_documents([export(document(), customer, "update", made.external_id)], ctx(), "batch")
    sale = myob.get("Sale/Invoice/Service", made.external_id)
    assert again.ok and sale["RowVersion"] not in (created["RowVersion"], meanwhile[0])  # our PUT, on theirs
    assert [ln["RowID"] for ln in sale["Lines"]] == [ln["RowID"] for ln in created["Lines"]]  # kept, not replaced
    puts = [c for c in myob.calls if c.method == "PUT"]
    assert [c.status for c in puts] == [409, 200]
    assert puts[0].body["RowVersion"] == created["RowVersion"] and puts[1].body["RowVersion"] == meanwhile[0]


def test_a_void_deletes_and_where_the_file_forbids_it_reverses(connector: MyobConnector, myob: Myob,
                                                               customer: str) -> None:
    (made,) = connector.export_documents([export(document(), customer)], ctx(), "batch")
    void = export(document(), customer, "void", made.external_id)
    (gone,) = connector.export_documents([void], ctx(), "batch")
    assert gone.ok and "deleted in MYOB" in (gone.message or "")
    assert myob.items("Sale/Invoice/Service") == []
    deleted = myob.admin.get(f"/businesses/{BUSINESS}/deletions").json()
    assert [d["UID"] for d in deleted] == [made.external_id]
    # the same again, in a file whose preferences forbid changing or deleting transactions
    (made,) = connector.export_documents([export(document(), customer)], ctx(), "batch")
    myob.admin.post(f"/businesses/{BUSINESS}/preferences",
                    json={"TransactionsCannotBeChangedMustBeReversed": True}).raise_for_status()
    void = export(document(), customer, "void", made.external_id)
    (done,) = connector.export_documents([void], ctx(), "batch")
    assert done.ok and "reversed in MYOB" in (done.message or "")
    original = myob.get("Sale/Invoice/Service", made.external_id or "")
    (reversal,) = [myob.get("Sale/Invoice/Service", s["UID"]) for s in myob.items("Sale/Invoice/Service")
                   if s["UID"] != made.external_id]
    assert reversal["TotalAmount"] == -original["TotalAmount"]
    assert reversal["Customer"]["UID"] == original["Customer"]["UID"] == customer
    (listed,) = myob.items("Sale/CreditSettlement")  # the two settled against each other, as MYOB's Reverse
    settled = myob.get("Sale/CreditSettlement", listed["UID"])
    assert settled["CreditFromInvoice"]["UID"] == reversal["UID"] and settled["CreditAmount"] == 165.0
    assert [(ln["Type"], ln["Sale"]["UID"], ln["AmountApplied"]) for ln in settled["Lines"]] == [
        ("Invoice", original["UID"], 165.0)]
    assert original["Status"] == reversal["Status"] == "Closed"
