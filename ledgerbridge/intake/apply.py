"""Intake from the host: apply a batch of records as one all-or-nothing unit.

Every record is checked first, against the rest of the batch and the database, and every
error of the batch is collected; only a batch without errors is written. Upserts are keyed by
the host's own ids (codes for nominal codes, tax codes and payment methods), so the host can
re-send freely: an identical record changes nothing, a changed one bumps its ``version``,
which is how the sync layer learns that an exported record needs an update (R-E9).

The functions here flush but never commit: the caller owns the transaction (the API commits
after a successful batch; on ``IntakeError`` nothing was written).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from ledgerbridge.domain.payment_policy import IntakePolicy, intake_policy
from ledgerbridge.intake.documents import check_documents, write_documents
from ledgerbridge.intake.payments import check_payments, documents_named_by_payments, write_payments
from ledgerbridge.intake.reference import check_references, write_references
from ledgerbridge.intake.schemas import Batch, FieldError, IntakeError, IntakeResult, parse_batch
from ledgerbridge.intake.status import RecordNotFound, StatusRefused, issue_document, post_document, void_document
from ledgerbridge.intake.store import Problems
from ledgerbridge.store.db import utcnow

__all__ = [
    "Batch",
    "FieldError",
    "IntakeError",
    "IntakeResult",
    "RecordNotFound",
    "StatusRefused",
    "apply_batch",
    "issue_document",
    "load_file",
    "post_document",
    "void_document",
]


def apply_batch(session: Session, organisation_id: int, batch: Batch) -> IntakeResult:
    """Check the whole batch, then write it with bulk statements; raises ``IntakeError`` listing every problem.

    Records are applied in dependency order (codes, parties, items, documents, payments), and
    references may point at records earlier in the same batch or already stored.
    """
    problems = Problems()
    known, reference_plans = check_references(session, organisation_id, batch, problems)
    document_plans = check_documents(
        session, organisation_id, batch, known, documents_named_by_payments(batch), problems
    )
    policy = intake_policy(session, organisation_id) if batch.payments else IntakePolicy(False, False, "")
    payment_plan = check_payments(session, organisation_id, batch, known, document_plans, policy, problems)
    if problems:
        raise IntakeError(problems.errors)

    now = utcnow()
    party_ids = write_references(session, organisation_id, reference_plans, now)
    document_ids = write_documents(session, organisation_id, document_plans, party_ids, now)
    write_payments(session, organisation_id, payment_plan, party_ids, document_ids, now)
    session.flush()
    return IntakeResult(
        nominal_codes=reference_plans.nominal_codes.counts(),
        tax_codes=reference_plans.tax_codes.counts(),
        payment_methods=reference_plans.payment_methods.counts(),
        parties=reference_plans.parties.counts(),
        items=reference_plans.items.counts(),
        documents=document_plans.plan.counts(),
        payments=payment_plan.plan.counts(),
    )


def load_file(session: Session, organisation_id: int, path: str | Path) -> IntakeResult:
    """``ledgerbridge load FILE``: the file holds one batch, the same JSON as ``POST /v1/batch``."""
    return apply_batch(session, organisation_id, parse_batch(Path(path).read_bytes()))
