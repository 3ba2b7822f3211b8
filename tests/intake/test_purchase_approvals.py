"""R-P1/R-P2 through the API a host system uses: additional charges at intake (422 on bad input), the two
approvals by two people of the right roles, Send to External System, the per-organisation rule, and what an
unapproved invoice waits for. Both backends; the export itself is in tests/sync/test_purchase_export.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.api.app import create_app
from ledgerbridge.security.apikeys import issue_api_key
from ledgerbridge.security.key_grants import GrantRefused, KeyPurpose, grant, revoke_grant
from ledgerbridge.store.models.approvals import PurchaseApproval
from ledgerbridge.store.models.host import ApiKey, Document, DocumentLine
from ledgerbridge.store.models.sync import AuditEvent
from ledgerbridge.store.models.users import User
from ledgerbridge.store.organisations import create_organisation
from ledgerbridge.sync.approvals import ApprovalRefused, approve_and_send_all, held_back
from ledgerbridge.web.auth import create_user

from .factories import document, line, reference_batch


class Host:
    def __init__(self, client: TestClient, key: str, org_id: int) -> None:
        self.client, self.key, self.org_id = client, key, org_id

    def send(self, method: str, url: str, body: Any = None) -> Any:
        return self.client.request(method, url, content=None if body is None else json.dumps(body),
                                   headers={"Authorization": f"Bearer {self.key}",
                                            "Content-Type": "application/json"})


def _po(host_id: str, charged: bool) -> dict[str, Any]:
    lines = [line(nominal_code="5000")]
    if charged:
        lines.append(line(1, "15.00", description="Freight", nominal_code="5000", additional_charge=True))
    return document(host_id, type="purchase_order", party_host_id="S1", status="posted", lines=lines)


def _pi(host_id: str, order: str | None = None, quantity: int = 2) -> dict[str, Any]:
    return document(host_id, type="purchase_invoice", party_host_id="S1", status="posted",
                    lines=[line(quantity, nominal_code="5000")], purchase_order_host_id=order)


@pytest.fixture
def host(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[Host]:
    with sessions() as session:
        org = create_organisation(session, "Komet Flowers")
        key = issue_api_key(session, org.id, "host")
        api_key = session.scalars(select(ApiKey).where(ApiKey.organisation_id == org.id)).one()
        for email, role in (("pat@komet.test", "procurement"), ("ann@komet.test", "accounts"),
                            ("vic@komet.test", "viewer"), ("ada@komet.test", "admin")):
            user = create_user(session, org.id, email, "a long enough password", role,
                               name=email.split("@")[0].title())
            # The host's key acts as each of them for approvals, and as the administrator for the rules (R-S1).
            grant(session, api_key, user, KeyPurpose.APPROVALS)
            if role == "admin":
                grant(session, api_key, user, KeyPurpose.ADMINISTRATION)
        session.commit()
        org_id = org.id
    with TestClient(create_app(engine, run_worker=False)) as client:
        made = Host(client, key, org_id)
        data = reference_batch()
        data["documents"] = [_po("PO-1", charged=False), _po("PO-2", charged=True), _pi("PI-1", "PO-1"),
                             _pi("PI-2", "PO-2"), _pi("PI-3")]
        assert made.send("POST", "/v1/batch", data).status_code == 200
        yield made


def test_additional_charges_and_the_order_link_are_checked_at_intake(host: Host,
                                                                      sessions: sessionmaker[Session]) -> None:
    bad = {"documents": [
        document("SO-9", type="sales_order", lines=[line(additional_charge=True)]),
        _pi("PI-9", "PI-1"),
        document("INV-9", purchase_order_host_id="PO-1"),
    ]}
    answer = host.send("POST", "/v1/batch", bad)
    assert answer.status_code == 422
    assert answer.json()["detail"]["errors"] == [
        {"record": 'documents[0] (host_id "SO-9")', "field": "lines[0].additional_charge",
         "message": "additional charges are for purchase documents, not a sales_order"},
        {"record": 'documents[1] (host_id "PI-9")', "field": "purchase_order_host_id",
         "message": 'document "PI-1" is a purchase_invoice, not a purchase_order'},
        {"record": 'documents[2] (host_id "INV-9")', "field": "purchase_order_host_id",
         "message": "only a purchase invoice names the purchase order it bills"},
    ]
    wrong_type = host.send("POST", "/v1/batch", {"documents": [_po("PO-3", charged=False) | {
        "lines": [line(nominal_code="5000", additional_charge="yes")]}]})
    assert wrong_type.status_code == 422
    error = wrong_type.json()["detail"]["errors"][0]
    assert (error["record"], error["field"]) == ('documents[0] (host_id "PO-3")', "lines[0].additional_charge")
    with sessions() as session:
        flags = session.execute(select(Document.number, DocumentLine.additional_charge).join(DocumentLine)
                                .where(Document.type == "purchase_order").order_by(Document.number,
                                                                                   DocumentLine.line_no)).all()
        assert [tuple(r) for r in flags] == [("PO-1", False), ("PO-2", False), ("PO-2", True)]
        links = dict(session.execute(select(Document.number, Document.purchase_order_id)
                                     .where(Document.type == "purchase_invoice")).all())
        ids = dict(session.execute(select(Document.number, Document.id)).all())
        assert links == {"PI-1": ids["PO-1"], "PI-2": ids["PO-2"], "PI-3": None}


def test_two_people_of_the_right_roles_approve_then_send(host: Host, sessions: sessionmaker[Session]) -> None:
    assert host.send("PUT", "/v1/purchase-rules", {"approval_required": True, "user": "Pat"}).status_code == 403
    assert host.send("PUT", "/v1/purchase-rules", {"approval_required": True, "user": "ada@komet.test"}).json() == \
        {"approval_required": True, "require_additional_charges": False}
    listed = {r["number"]: r for r in host.send("GET", "/v1/purchase-invoices").json()["purchase_invoices"]}
    assert listed["PI-2"]["status"] == "Awaiting approval"
    assert listed["PI-2"]["waits_for"] == ["approval by Procurement", "approval by Accounting",
                                           "Send to External System"]

    early = host.send("POST", "/v1/purchase-invoices/send", {"number": "PI-2", "user": "ann@komet.test"})
    assert early.status_code == 409
    assert early.json()["detail"] == ("purchase invoice PI-2 cannot be sent: it waits for approval by Procurement "
                                      "and approval by Accounting")
    wrong_role = host.send("POST", "/v1/purchase-invoices/approvals",
                           {"number": "PI-2", "as": "procurement", "user": "ann@komet.test"})
    assert wrong_role.status_code == 403
    assert wrong_role.json()["detail"] == ("approval by Procurement must be given by a Procurement user; your role "
                                           "is accounts")
    viewer = host.send("POST", "/v1/purchase-invoices/approvals",
                       {"number": "PI-2", "as": "accounting", "user": "vic@komet.test"})
    assert viewer.status_code == 403
    first = host.send("POST", "/v1/purchase-invoices/approvals",
                      {"number": "PI-2", "as": "procurement", "user": "Pat"})
    assert first.status_code == 200 and first.json()["waits_for"] == ["approval by Accounting",
                                                                      "Send to External System"]
    # Approving what is approved changes nothing: Pat's approval stands.
    again = host.send("POST", "/v1/purchase-invoices/approvals",
                      {"number": "PI-2", "as": "procurement", "user": "ada@komet.test"}).json()
    assert again["approvals"]["procurement"]["by"] == "pat@komet.test"
    # An administrator may stand in for either side, but one person never gives both approvals.
    assert host.send("POST", "/v1/purchase-invoices/approvals",
                     {"number": "PI-1", "as": "procurement", "user": "ada@komet.test"}).status_code == 200
    same = host.send("POST", "/v1/purchase-invoices/approvals",
                     {"number": "PI-1", "as": "accounting", "user": "ada@komet.test"})
    assert same.status_code == 403
    assert same.json()["detail"] == ("ada@komet.test already gave the approval by Procurement of purchase invoice "
                                     "PI-1: the approval by Accounting needs a second person")
    approved = host.send("POST", "/v1/purchase-invoices/approvals",
                         {"number": "PI-2", "as": "accounting", "user": "ann@komet.test"}).json()
    assert approved["status"] == "Approved" and approved["waits_for"] == ["Send to External System"]
    sent = host.send("POST", "/v1/purchase-invoices/send", {"number": "PI-2", "user": "ann@komet.test"}).json()
    assert sent["status"] == "Sent to External System" and sent["released"] is True
    with sessions() as session:
        held = held_back(session, host.org_id, session.scalars(select(Document.id)).all())
        numbers = dict(session.execute(select(Document.id, Document.number)).all())
        assert {numbers[i]: r for i, r in held.items()} == {
            "PI-1": ["waits for approval by Accounting and Send to External System"],
            "PI-3": ["waits for approval by Procurement and approval by Accounting and Send to External System"]}
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.record_id.is_not(None))
                                  .order_by(AuditEvent.id)).all()
        assert actions == ["approve procurement", "approve procurement", "approve accounting",
                           "send to external system"]  # PI-2 by Pat, PI-1 by Ada, PI-2 by Ann twice
    missing = host.send("POST", "/v1/purchase-invoices/approvals", {"number": "PI-404", "as": "accounting",
                                                                    "user": "ann@komet.test"})
    assert missing.status_code == 404
    assert host.send("POST", "/v1/purchase-invoices/approvals", {"number": "PI-1", "as": "boss",
                                                                 "user": "ann@komet.test"}).status_code == 422


def test_the_workflow_is_on_for_an_organisation_that_never_set_its_rules(host: Host,
                                                                         sessions: sessionmaker[Session]) -> None:
    # R-P1: a purchase invoice goes out only once accepted, with no rule row at all (migration 0007).
    assert host.send("GET", "/v1/purchase-rules").json() == {"approval_required": True,
                                                             "require_additional_charges": False}
    everything = "waits for approval by Procurement and approval by Accounting and Send to External System"
    with sessions() as session:
        ids = session.scalars(select(Document.id)).all()
        assert sorted(held_back(session, host.org_id, ids).values()) == [[everything]] * 3
    # Setting only the other rule writes a row: the workflow stays on.
    host.send("PUT", "/v1/purchase-rules", {"require_additional_charges": True, "user": "ada@komet.test"})
    assert host.send("GET", "/v1/purchase-rules").json()["approval_required"] is True
    # An administrator may switch it off, and then nothing waits for approval.
    host.send("PUT", "/v1/purchase-rules", {"approval_required": False, "require_additional_charges": False,
                                            "user": "ada@komet.test"})
    with sessions() as session:
        assert held_back(session, host.org_id, session.scalars(select(Document.id)).all()) == {}


def test_approving_a_months_bills_at_once_takes_the_same_acts_and_checks(host: Host,
                                                                         sessions: sessionmaker[Session]) -> None:
    host.send("PUT", "/v1/purchase-rules", {"require_additional_charges": True, "user": "ada@komet.test"})
    with sessions() as session:
        pat, ann = (session.scalars(select(User).where(User.email == e)).one() for e in ("pat@komet.test",
                                                                                          "ann@komet.test"))
        with pytest.raises(ApprovalRefused, match="needs a second person"):
            approve_and_send_all(session, host.org_id, ann, ann)
        viewer = session.scalars(select(User).where(User.email == "vic@komet.test")).one()
        with pytest.raises(ApprovalRefused, match="must be given by a Procurement user"):
            approve_and_send_all(session, host.org_id, viewer, ann)
        session.rollback()
        # PI-1 and PI-3 fail the R-P2 rule: approved, not sent. PI-2 goes.
        assert approve_and_send_all(session, host.org_id, pat, ann) == {"approved": 3, "sent": 1}
        session.commit()
        acts = session.execute(select(AuditEvent.actor, AuditEvent.action).where(
            AuditEvent.record_id.is_not(None)).order_by(AuditEvent.id)).all()
        assert sorted(set(acts)) == [("ann@komet.test", "approve accounting"),
                                     ("ann@komet.test", "send to external system"),
                                     ("pat@komet.test", "approve procurement")]
        assert len(acts) == 3 + 3 + 1
    listed = {r["number"]: r["status"] for r in host.send("GET", "/v1/purchase-invoices").json()["purchase_invoices"]}
    assert listed == {"PI-1": "Approved", "PI-2": "Sent to External System", "PI-3": "Approved"}
    with sessions() as session:  # nothing left to do: a second pass changes nothing
        pat, ann = (session.scalars(select(User).where(User.email == e)).one() for e in ("pat@komet.test",
                                                                                          "ann@komet.test"))
        assert approve_and_send_all(session, host.org_id, pat, ann) == {"approved": 0, "sent": 0}


def test_an_edit_after_approval_needs_fresh_approvals(host: Host, sessions: sessionmaker[Session]) -> None:
    host.send("PUT", "/v1/purchase-rules", {"approval_required": True, "user": "ada@komet.test"})
    for step, user in (("procurement", "Pat"), ("accounting", "Ann")):
        host.send("POST", "/v1/purchase-invoices/approvals", {"number": "PI-3", "as": step, "user": user})
    assert host.send("POST", "/v1/purchase-invoices/send", {"number": "PI-3", "user": "Ann"}).status_code == 200
    edited = _pi("PI-3", quantity=3)
    assert host.send("POST", "/v1/batch", {"documents": [edited]}).status_code == 200
    row = next(r for r in host.send("GET", "/v1/purchase-invoices").json()["purchase_invoices"]
               if r["number"] == "PI-3")
    assert row["status"] == "Awaiting approval"
    assert row["approvals"]["procurement"]["current"] is False and row["approvals"]["procurement"]["by"] == \
        "pat@komet.test"
    with sessions() as session:
        assert session.scalar(select(PurchaseApproval.document_version).where(
            PurchaseApproval.step == "send")) == 1  # kept for the record, no longer current


def test_the_additional_charges_rule_names_the_order(host: Host) -> None:
    host.send("PUT", "/v1/purchase-rules", {"require_additional_charges": True, "user": "ada@komet.test"})
    for number in ("PI-1", "PI-2", "PI-3"):
        for step, user in (("procurement", "Pat"), ("accounting", "Ann")):
            host.send("POST", "/v1/purchase-invoices/approvals", {"number": number, "as": step, "user": user})
    refused = host.send("POST", "/v1/purchase-invoices/send", {"number": "PI-1", "user": "Ann"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "purchase invoice PI-1 cannot be sent: refused by the rule 'refuse purchase invoices whose purchase order "
        "has no additional charges': purchase order PO-1 carries no additional charges")
    no_order = host.send("POST", "/v1/purchase-invoices/send", {"number": "PI-3", "user": "Ann"})
    assert "purchase invoice PI-3 names no purchase order" in no_order.json()["detail"]
    assert host.send("POST", "/v1/purchase-invoices/send", {"number": "PI-2", "user": "Ann"}).status_code == 200
    # Off again: the workflow alone decides (on by default; PI-1 has both approvals), so PI-1 may go.
    host.send("PUT", "/v1/purchase-rules", {"require_additional_charges": False, "user": "ada@komet.test"})
    assert host.send("POST", "/v1/purchase-invoices/send", {"number": "PI-1", "user": "Ann"}).status_code == 200


def test_another_organisations_key_sees_no_invoice(host: Host, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        other = create_organisation(session, "Elsewhere")
        key = issue_api_key(session, other.id, "host")
        eve = create_user(session, other.id, "eve@elsewhere.test", "a long enough password", "admin")
        grant(session, session.scalars(select(ApiKey).where(ApiKey.organisation_id == other.id)).one(), eve,
              KeyPurpose.APPROVALS)
        session.commit()
    stranger = Host(host.client, key, other.id)
    assert stranger.send("GET", "/v1/purchase-invoices").json()["purchase_invoices"] == []
    answer = stranger.send("POST", "/v1/purchase-invoices/approvals",
                           {"number": "PI-1", "as": "accounting", "user": "eve@elsewhere.test"})
    assert answer.status_code == 404
    assert stranger.send("POST", "/v1/purchase-invoices/approvals",
                         {"number": "PI-1", "as": "accounting", "user": "ann@komet.test"}).status_code == 404


def test_a_key_acts_only_as_the_users_it_was_granted(host: Host, sessions: sessionmaker[Session]) -> None:
    """R-S1: a second key of the same organisation, granted no one, cannot approve as anyone; granted Pat for
    approvals it approves as Pat, and still not as Ann, nor as Pat for administration; revoked, no longer."""
    with sessions() as session:
        second = issue_api_key(session, host.org_id, "field app")
        session.commit()
    field_app = Host(host.client, second, host.org_id)
    step = {"number": "PI-3", "as": "procurement", "user": "pat@komet.test"}
    refused = field_app.send("POST", "/v1/purchase-invoices/approvals", step)
    assert refused.status_code == 403
    prefix = second[:12]
    assert refused.json()["detail"] == (
        f"API key {prefix} may not act as pat@komet.test for approvals; an administrator grants it with: "
        f"ledgerbridge api-key grant {prefix} --user pat@komet.test --for approvals")
    with sessions() as session:
        key = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one()
        pat = session.scalars(select(User).where(User.email == "pat@komet.test")).one()
        assert grant(session, key, pat, KeyPurpose.APPROVALS) is True
        assert grant(session, key, pat, KeyPurpose.APPROVALS) is False  # already could
        session.commit()
    assert field_app.send("POST", "/v1/purchase-invoices/approvals", step).status_code == 200
    as_ann = field_app.send("POST", "/v1/purchase-invoices/approvals", step | {"as": "accounting",
                                                                              "user": "ann@komet.test"})
    assert as_ann.status_code == 403 and "may not act as ann@komet.test" in as_ann.json()["detail"]
    rules = field_app.send("PUT", "/v1/purchase-rules", {"approval_required": False, "user": "pat@komet.test"})
    assert rules.status_code == 403 and "for administration" in rules.json()["detail"]
    with sessions() as session:
        key = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one()
        pat = session.scalars(select(User).where(User.email == "pat@komet.test")).one()
        with pytest.raises(GrantRefused, match="only an administrator or an Accounts user"):
            grant(session, key, pat, KeyPurpose.ADMINISTRATION)
        assert revoke_grant(session, key, pat, KeyPurpose.APPROVALS) is True
        session.commit()
    assert field_app.send("POST", "/v1/purchase-invoices/send", {"number": "PI-3", "user": "Pat"}).status_code == 403
