"""The purchase invoice approval workflow (R-P1) and the additional-charges rule (R-P2), seed 003.

A posted purchase invoice goes to the package only after three acts, in any order of the
first two: approval by a Procurement user, approval by an Accounting user (two different
people), then "Send to External System". Its status reads, in the seed's words:

    Awaiting approval -> Approved -> Sent to External System -> Synchronized

"Synchronized" is the seen tick (R-E7): read back from the package with equal totals.
The workflow is on unless an administrator switches it off (``rules_of``; migration 0007).
Each act is recorded for the document version it saw, so an invoice edited afterwards
waits for fresh approvals instead of going out with changes nobody approved.

Everything that holds an invoice back is said in words the screens use ("approval by
Procurement", ...), because the same sentences fill the pending list, the pre-check's
refusal and the API's 409.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from ledgerbridge.audit.trail import audit
from ledgerbridge.store.db import utcnow
from ledgerbridge.store.models.approvals import ApprovalStep, PurchaseApproval, PurchaseRules
from ledgerbridge.store.models.host import Document, DocumentLine, DocumentStatus, DocumentType, Party
from ledgerbridge.store.models.sync import Connection, RecordType, SyncError, SyncRecord, SyncStatus
from ledgerbridge.store.models.users import Role, User
from ledgerbridge.sync import lifecycle
from ledgerbridge.sync.lifecycle import Requeue

#: What each step is called where the user reads it.
STEP_WAITS = {ApprovalStep.PROCUREMENT: "approval by Procurement", ApprovalStep.ACCOUNTING: "approval by Accounting",
              ApprovalStep.SEND: "Send to External System"}
#: Who may take each step. Admins may stand in for either side; the two approvals still need two people.
STEP_ROLES = {ApprovalStep.PROCUREMENT: {Role.PROCUREMENT.value, Role.ADMIN.value},
              ApprovalStep.ACCOUNTING: {Role.ACCOUNTS.value, Role.ADMIN.value},
              ApprovalStep.SEND: {Role.ACCOUNTS.value, Role.ADMIN.value}}
RULE_NAME = "refuse purchase invoices whose purchase order has no additional charges"
STATUS_AWAITING = "Awaiting approval"
STATUS_APPROVED = "Approved"
STATUS_SENT = "Sent to External System"
STATUS_SYNCHRONIZED = "Synchronized"


class ApprovalRefused(Exception):
    """A step that may not be taken now; the message says which approval or rule is missing."""

    def __init__(self, message: str, *, status_code: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


@dataclass(slots=True)
class Act:
    by: str
    at: datetime
    current: bool  # given for the document's present version


@dataclass(slots=True)
class Workflow:
    """One purchase invoice's approval state."""

    document_id: int
    number: str
    status: str  # the seed's status words, or the document's own (draft, void)
    acts: dict[str, Act] = field(default_factory=dict)
    waits_for: list[str] = field(default_factory=list)  # steps still to take, in the screens' words
    rule_problem: str | None = None  # R-P2 refusal, when the rule is on and not met

    @property
    def released(self) -> bool:
        """May go to the package: both approvals and the send given for this version, and the rule met."""
        return not self.waits_for and self.rule_problem is None

    def reasons(self) -> list[str]:
        out = [f"waits for {' and '.join(self.waits_for)}"] if self.waits_for else []
        if self.rule_problem:
            out.append(self.rule_problem)
        return out

    def as_dict(self) -> dict[str, object]:
        return {"document_id": self.document_id, "number": self.number, "status": self.status,
                "approvals": {step: {"by": a.by, "at": a.at.isoformat(), "current": a.current}
                              for step, a in self.acts.items()},
                "waits_for": list(self.waits_for), "rule_problem": self.rule_problem, "reasons": self.reasons(),
                "released": self.released}


# -- rules ----------------------------------------------------------------------------------------------------
def rules_of(session: Session, organisation_id: int) -> PurchaseRules:
    """The organisation's rules (defaults when never set: the approval workflow on (R-P1), the R-P2 rule off)."""
    row = session.get(PurchaseRules, organisation_id)
    return row if row is not None else PurchaseRules(organisation_id=organisation_id, approval_required=True,
                                                     require_additional_charges=False)


def set_rules(session: Session, organisation_id: int, *, by: str, approval_required: bool | None = None,
              require_additional_charges: bool | None = None) -> PurchaseRules:
    """Change the organisation's rules (``None`` leaves a rule as it is); audited."""
    row = session.get(PurchaseRules, organisation_id)
    if row is None:
        row = PurchaseRules(organisation_id=organisation_id, approval_required=True,
                            require_additional_charges=False)
        session.add(row)
    if approval_required is not None:
        row.approval_required = approval_required
    if require_additional_charges is not None:
        row.require_additional_charges = require_additional_charges
    row.updated_by = by
    audit(session, None, by, "purchase rules", outcome="ok", organisation_id=organisation_id,
          detail=f"approval workflow: {'on' if row.approval_required else 'off'}; "
                 f"{RULE_NAME}: {'on' if row.require_additional_charges else 'off'}")
    session.flush()
    return row


def _rule_problems(session: Session, rules: PurchaseRules, docs: Sequence[Document]) -> dict[int, str]:
    """R-P2 for each invoice: its purchase order must carry at least one additional-charge line."""
    if not docs or not rules.require_additional_charges:
        return {}
    order_ids = {d.purchase_order_id for d in docs if d.purchase_order_id is not None}
    charged = exists().where(DocumentLine.document_id == Document.id, DocumentLine.additional_charge.is_(True))
    orders = {row.id: (row.number, row.charged) for row in session.execute(
        select(Document.id, Document.number, charged.label("charged")).where(Document.id.in_(order_ids)))}
    out = {}
    for d in docs:
        if d.purchase_order_id is None:
            out[d.id] = (f"refused by the rule '{RULE_NAME}': purchase invoice {d.number} names no purchase "
                         "order (send purchase_order_host_id)")
        elif not orders[d.purchase_order_id][1]:
            out[d.id] = (f"refused by the rule '{RULE_NAME}': purchase order {orders[d.purchase_order_id][0]} "
                         "carries no additional charges")
    return out


# -- state ------------------------------------------------------------------------------------------------------
def workflows(session: Session, organisation_id: int, document_ids: Iterable[int],
              connection_id: int | None = None) -> dict[int, Workflow]:
    """The workflow of each purchase invoice among ``document_ids`` (other documents are left out)."""
    ids = sorted(set(document_ids))
    docs: list[Document] = []
    for start in range(0, len(ids), 500):
        docs.extend(session.scalars(select(Document).where(
            Document.organisation_id == organisation_id, Document.type == DocumentType.PURCHASE_INVOICE.value,
            Document.id.in_(ids[start : start + 500]))))
    if not docs:
        return {}
    by_id = {d.id: d for d in docs}
    acts: dict[int, dict[str, Act]] = {d.id: {} for d in docs}
    sync: dict[int, str] = {}
    for start in range(0, len(docs), 500):
        chunk = [d.id for d in docs[start : start + 500]]
        for row in session.scalars(select(PurchaseApproval).where(PurchaseApproval.document_id.in_(chunk))):
            acts[row.document_id][row.step] = Act(row.by_user, row.at,
                                                  row.document_version == by_id[row.document_id].version)
        if connection_id is not None:
            sync.update(session.execute(select(SyncRecord.record_id, SyncRecord.status).where(
                SyncRecord.connection_id == connection_id, SyncRecord.record_type == RecordType.DOCUMENT.value,
                SyncRecord.record_id.in_(chunk))).all())
    rules = rules_of(session, organisation_id)
    rule = _rule_problems(session, rules, [d for d in docs if d.status == DocumentStatus.POSTED.value])
    out = {}
    for d in docs:
        flow = Workflow(d.id, d.number, d.status, acts[d.id])
        if rules.approval_required:
            flow.waits_for = [STEP_WAITS[s] for s in ApprovalStep if not (s in flow.acts and flow.acts[s].current)]
        flow.rule_problem = rule.get(d.id)
        if d.status == DocumentStatus.POSTED.value:
            if sync.get(d.id) == SyncStatus.SEEN.value:
                flow.status = STATUS_SYNCHRONIZED
            elif not flow.waits_for:
                flow.status = STATUS_SENT
            elif flow.waits_for == [STEP_WAITS[ApprovalStep.SEND]]:
                flow.status = STATUS_APPROVED
            else:
                flow.status = STATUS_AWAITING
        out[d.id] = flow
    return out


def held_back(session: Session, organisation_id: int, document_ids: Iterable[int]) -> dict[int, list[str]]:
    """Purchase invoices among ``document_ids`` that may not go out yet, with every reason (R-P1, R-P2)."""
    return {doc_id: flow.reasons() for doc_id, flow in workflows(session, organisation_id, document_ids).items()
            if not flow.released}


# -- acts ---------------------------------------------------------------------------------------------------------
def find_invoice(session: Session, organisation_id: int, number: str) -> Document:
    doc = session.scalar(select(Document).where(
        Document.organisation_id == organisation_id, Document.type == DocumentType.PURCHASE_INVOICE.value,
        Document.number == number).order_by(Document.id.desc()))
    if doc is None:
        raise ApprovalRefused(f"no purchase invoice numbered {number!r}", status_code=404)
    return doc


def find_user(session: Session, organisation_id: int, name: str) -> User:
    """A user of the organisation by sign-in (email) or display name (the CLI's --user)."""
    wanted = name.strip().lower()
    for user in session.scalars(select(User).where(User.organisation_id == organisation_id,
                                                   User.active.is_(True))):
        if user.email.lower() == wanted or user.name.strip().lower() == wanted:
            return user
    raise ApprovalRefused(f"no active user {name!r} in this organisation", status_code=404)


def _check_can_act(doc: Document, step: ApprovalStep, role: str) -> None:
    if doc.status != DocumentStatus.POSTED.value:
        raise ApprovalRefused(f"purchase invoice {doc.number} is {doc.status}: only posted purchase invoices are "
                              "approved and sent")
    if role not in STEP_ROLES[step]:
        who = "a Procurement user" if step is ApprovalStep.PROCUREMENT else "an Accounting user"
        raise ApprovalRefused(f"{STEP_WAITS[step]} must be given by {who}; your role is {role}", status_code=403)


def approve(session: Session, organisation_id: int, number: str, step: ApprovalStep, user_email: str,
            role: str) -> Workflow:
    """Record an approval for the invoice's present version; refused if the other approval is the same person's.

    Approvals are recorded even while the workflow is off, so turning it on later does not undo them."""
    if step is ApprovalStep.SEND:
        raise ApprovalRefused("use send_to_external_system for the send step", status_code=400)
    doc = find_invoice(session, organisation_id, number)
    _check_can_act(doc, step, role)
    flow = workflows(session, organisation_id, [doc.id])[doc.id]
    if not _give_approval(session, organisation_id, doc, flow, step, user_email):
        return flow  # approving twice changes nothing
    session.flush()
    return workflows(session, organisation_id, [doc.id])[doc.id]


def _give_approval(session: Session, organisation_id: int, doc: Document, flow: Workflow, step: ApprovalStep,
                   user_email: str) -> bool:
    """The approval act on an invoice whose workflow ``flow`` was just read (and is kept up to date here); False
    when this approval was already given for this version."""
    other = ApprovalStep.ACCOUNTING if step is ApprovalStep.PROCUREMENT else ApprovalStep.PROCUREMENT
    mine = flow.acts.get(step)
    if mine is not None and mine.current:
        return False
    theirs = flow.acts.get(other)
    if theirs is not None and theirs.current and theirs.by == user_email:
        raise ApprovalRefused(f"{user_email} already gave the {STEP_WAITS[other]} of purchase invoice {doc.number}: "
                              f"the {STEP_WAITS[step]} needs a second person", status_code=403)
    _record(session, organisation_id, doc, step, user_email, earlier=step in flow.acts)
    audit(session, None, user_email, f"approve {step.value}", outcome="ok", organisation_id=organisation_id,
          record_type=RecordType.DOCUMENT.value, record_id=doc.id,
          detail=f"purchase invoice {doc.number} version {doc.version}: {STEP_WAITS[step]} given")
    flow.acts[step] = Act(user_email, utcnow(), True)
    flow.waits_for = [w for w in flow.waits_for if w != STEP_WAITS[step]]
    return True


def send_to_external_system(session: Session, organisation_id: int, number: str, user_email: str, role: str,
                            connection: Connection | None = None) -> Workflow:
    """"Send to External System": release an approved invoice to the export queue (status "Sent to External
    System"); refused, naming what is missing, while an approval or the rule is not met."""
    doc = find_invoice(session, organisation_id, number)
    _check_can_act(doc, ApprovalStep.SEND, role)
    flow = workflows(session, organisation_id, [doc.id])[doc.id]
    _send(session, organisation_id, doc, flow, user_email, connection)
    session.flush()
    return workflows(session, organisation_id, [doc.id], connection.id if connection else None)[doc.id]


def _send(session: Session, organisation_id: int, doc: Document, flow: Workflow, user_email: str,
          connection: Connection | None) -> None:
    approvals_missing = [w for w in flow.waits_for if w != STEP_WAITS[ApprovalStep.SEND]]
    if approvals_missing or flow.rule_problem:
        reasons = ([f"it waits for {' and '.join(approvals_missing)}"] if approvals_missing else []) + \
                  ([flow.rule_problem] if flow.rule_problem else [])
        raise ApprovalRefused(f"purchase invoice {doc.number} cannot be sent: " + "; ".join(reasons))
    if STEP_WAITS[ApprovalStep.SEND] in flow.waits_for:
        _record(session, organisation_id, doc, ApprovalStep.SEND, user_email,
                earlier=ApprovalStep.SEND in flow.acts)
    if connection is not None:
        _requeue(session, connection.id, doc.id)
    audit(session, connection, user_email, "send to external system", outcome="ok", organisation_id=organisation_id,
          record_type=RecordType.DOCUMENT.value, record_id=doc.id,
          detail=f"purchase invoice {doc.number} version {doc.version} queued for export")
    flow.waits_for = []


def _record(session: Session, organisation_id: int, doc: Document, step: ApprovalStep, by: str,
            earlier: bool = True) -> None:
    """Store the act (one row per step, the latest act kept); ``earlier`` False: the workflow just read has no row
    for this step, so there is none to look up."""
    row = session.scalar(select(PurchaseApproval).where(PurchaseApproval.document_id == doc.id,
                                                        PurchaseApproval.step == step.value)) if earlier else None
    if row is None:
        row = PurchaseApproval(organisation_id=organisation_id, document_id=doc.id, step=step.value)
        session.add(row)
    row.by_user = by
    row.document_version = doc.version
    row.at = utcnow()


def _requeue(session: Session, connection_id: int, document_id: int) -> None:
    """An invoice the pre-check or an upload refused while it waited goes back to pending, its old errors cleared."""
    record_ids = list(session.scalars(select(SyncRecord.id).where(
        SyncRecord.connection_id == connection_id, SyncRecord.record_type == RecordType.DOCUMENT.value,
        SyncRecord.record_id == document_id, SyncRecord.status == SyncStatus.ERROR.value)))
    if record_ids:
        session.execute(update(SyncError).where(SyncError.sync_record_id.in_(record_ids),
                                                SyncError.cleared_at.is_(None)).values(cleared_at=utcnow()))
        lifecycle.apply(session, [Requeue(rid, failure_type=None, last_error=None) for rid in record_ids])


def approve_and_send_all(session: Session, organisation_id: int, procurement: User, accounting: User,
                         connection: Connection | None = None) -> dict[str, int]:
    """Both approvals and the send for every posted purchase invoice not yet released, by the same acts (and the
    same checks) as ``approve`` and ``send_to_external_system``, with the workflows read once instead of at each
    act (the demo's bookkeepers at month end; fixtures whose subject is not the workflow). Two people, as R-P1
    asks. An invoice the R-P2 rule refuses is approved but not sent. Returns how many were newly approved and how
    many sent."""
    if procurement.email == accounting.email:
        raise ApprovalRefused(f"{procurement.email} cannot give both approvals: R-P1 needs a second person",
                              status_code=403)
    docs = {d.id: d for d in session.scalars(select(Document).where(
        Document.organisation_id == organisation_id, Document.type == DocumentType.PURCHASE_INVOICE.value,
        Document.status == DocumentStatus.POSTED.value).order_by(Document.issue_date, Document.id))}
    counts = {"approved": 0, "sent": 0}
    for doc_id, flow in workflows(session, organisation_id, list(docs)).items():
        if flow.released:
            continue
        doc = docs[doc_id]
        given = False
        for step, user in ((ApprovalStep.PROCUREMENT, procurement), (ApprovalStep.ACCOUNTING, accounting)):
            _check_can_act(doc, step, user.role)
            given = _give_approval(session, organisation_id, doc, flow, step, user.email) or given
        counts["approved"] += given
        if flow.rule_problem is None:
            _check_can_act(doc, ApprovalStep.SEND, accounting.role)
            _send(session, organisation_id, doc, flow, accounting.email, connection)
            counts["sent"] += 1
    session.flush()
    return counts


# -- lists ---------------------------------------------------------------------------------------------------------
def purchase_invoices(session: Session, organisation_id: int, connection_id: int | None = None,
                      status: str | None = None, limit: int = 500) -> list[dict[str, object]]:
    """Purchase invoices newest first with their workflow, for the CLI, the API and the Purchases screen."""
    rows = session.execute(select(Document.id, Document.number, Document.issue_date, Document.gross_total,
                                  Document.currency, Party.name).join(Party, Party.id == Document.party_id)
                           .where(Document.organisation_id == organisation_id,
                                  Document.type == DocumentType.PURCHASE_INVOICE.value)
                           .order_by(Document.issue_date.desc(), Document.id.desc()).limit(limit)).all()
    flows = workflows(session, organisation_id, [r.id for r in rows], connection_id)
    out = []
    for r in rows:
        flow = flows[r.id]
        if status and flow.status.lower() != status.lower():
            continue
        out.append({**flow.as_dict(), "party": r.name, "date": r.issue_date.isoformat(),
                    "total": str(r.gross_total), "currency": r.currency})
    return out
