"""A bad record refuses the whole batch, names the record and the field, and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from ledgerbridge.intake.apply import IntakeError, StatusRefused, issue_document, post_document
from ledgerbridge.store.models.host import Document, DocumentLine, Party

from .factories import apply, count, document, line, reference_batch


def _refused(session: Session, org_id: int, data: dict) -> list[str]:
    with pytest.raises(IntakeError) as caught:
        apply(session, org_id, data)
    session.rollback()
    return [str(e) for e in caught.value.errors]


def test_one_bad_record_among_many_names_itself_and_nothing_is_written(session: Session, org_id: int) -> None:
    data = reference_batch()
    data["documents"] = [document(f"INV-{1000 + i}") for i in range(40)]
    data["documents"][17]["lines"].append(line(tax_code="T9"))

    errors = _refused(session, org_id, data)

    assert errors == ['documents[17] (host_id "INV-1017"): lines[1].tax_code: tax code "T9" is not known']
    assert count(session, Document) == 0 and count(session, DocumentLine) == 0 and count(session, Party) == 0


def test_every_error_of_the_batch_is_reported(session: Session, org_id: int) -> None:
    data = reference_batch()
    data["documents"] = [
        document("A", party_host_id="NOBODY"),
        document("B", lines=[line(nominal_code="9999", net="20.00", tax="4.01")]),
        document("C", status="posted"),
        document("D", type="sales_credit_note", credits_document_host_id="PO-X"),
    ]
    errors = _refused(session, org_id, data)
    assert errors == [
        'documents[0] (host_id "A"): party_host_id: party "NOBODY" is not known',
        'documents[1] (host_id "B"): lines[0].nominal_code: nominal code "9999" is not known',
        'documents[1] (host_id "B"): lines[0].tax: tax 4.01 does not match 4.00 (20% of the net, rounded per line)',
        'documents[2] (host_id "C"): status: "posted" is for purchase documents; a sales_invoice is "issued"',
        'documents[3] (host_id "D"): credits_document_host_id: document "PO-X" is not known',
    ]


def test_shape_errors_name_the_record_and_the_field(session: Session, org_id: int) -> None:
    data = reference_batch()
    data["documents"] = [document("A"), document("B", colour="red")]
    data["documents"][0]["lines"][0]["unit_price"] = "1.23456"
    data["documents"][1]["issue_date"] = "01/03/2024"
    errors = _refused(session, org_id, data)
    assert errors == [
        'documents[0] (host_id "A"): lines[0].unit_price: must have no more than 4 decimal places',
        'documents[1] (host_id "B"): issue_date: must be a date written YYYY-MM-DD',
        'documents[1] (host_id "B"): colour: is not a known field',
    ]


def test_floats_are_refused_when_they_do_not_come_from_parsed_json() -> None:
    from ledgerbridge.intake.schemas import validate_batch

    with pytest.raises(IntakeError) as caught:
        validate_batch({"tax_codes": [{"code": "T1", "name": "Standard", "rate": 20.0}]})
    assert str(caught.value.errors[0]) == (
        'tax_codes[0] (code "T1"): rate: must be a decimal number (a JSON number or a string), not a binary float')


def test_links_must_name_the_right_kind_of_document(session: Session, org_id: int) -> None:
    data = reference_batch()
    data["documents"] = [
        document("SO-1", type="sales_order"),
        document("INV-1", sales_order_host_id="SO-1"),
        document("INV-2", party_host_id="C2"),
        document("INV-3", sales_order_host_id="INV-1"),
        document("CN-1", type="sales_credit_note", credits_document_host_id="INV-2"),
        document("CN-2", type="sales_credit_note", credits_document_host_id="INV-1", currency="EUR"),
    ]
    errors = _refused(session, org_id, data)
    assert errors == [
        'documents[3] (host_id "INV-3"): sales_order_host_id: document "INV-1" is a sales_invoice, not a sales_order',
        'documents[4] (host_id "CN-1"): credits_document_host_id: invoice "INV-2" is for party "C2", not "C1"',
        'documents[5] (host_id "CN-2"): credits_document_host_id: invoice "INV-1" is in GBP, not EUR',
    ]
    del data["documents"][3:]
    data["documents"].append(document("CN-1", type="sales_credit_note", credits_document_host_id="INV-1"))
    assert apply(session, org_id, data).documents.created == 4


def test_a_void_document_cannot_change_or_come_back(session: Session, org_id: int) -> None:
    data = reference_batch()
    data["documents"] = [document("INV-1", status="void")]
    apply(session, org_id, data)
    assert apply(session, org_id, data).documents.unchanged == 1

    data["documents"] = [document("INV-1", status="void", number="INV-1b")]
    assert _refused(session, org_id, data) == [
        'documents[0] (host_id "INV-1"): status: the document is void and cannot be changed']
    data["documents"] = [document("INV-1", status="issued")]
    assert _refused(session, org_id, data) == [
        'documents[0] (host_id "INV-1"): status: the document is void and cannot be un-voided: '
        "send a new document instead"]
    with pytest.raises(StatusRefused):
        issue_document(session, org_id, "INV-1")


def test_an_issued_document_can_be_edited_but_not_retyped(session: Session, org_id: int) -> None:
    data = reference_batch()
    data["documents"] = [document("INV-1")]
    apply(session, org_id, data)
    data["documents"] = [document("INV-1", lines=[line(quantity=5)])]
    assert apply(session, org_id, data).documents.updated == 1
    data["documents"] = [document("INV-1", type="sales_credit_note")]
    assert _refused(session, org_id, data) == [
        'documents[0] (host_id "INV-1"): type: cannot change from sales_invoice to sales_credit_note: '
        'void it and send a new document']
    with pytest.raises(StatusRefused):
        post_document(session, org_id, "INV-1")


def test_a_record_twice_in_one_batch_is_refused(session: Session, org_id: int) -> None:
    data = reference_batch()
    data["documents"] = [document("INV-1"), document("INV-1")]
    assert _refused(session, org_id, data) == [
        'documents[1] (host_id "INV-1"): host_id: "INV-1" appears twice in this batch (also documents[0])']
