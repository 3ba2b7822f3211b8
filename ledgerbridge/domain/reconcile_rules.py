"""Why the books differ: the pure rules of reconciliation (R-R1), no I/O.

Every document is compared on four measures: its total, what payments settled (allocated), what credits settled
(credited) and the amount due. A difference is ``package - host`` and is split into causes from a fixed
vocabulary, each with its amount, what it means and what to do. Whatever no cause accounts for is reported as
``unexplained``: a residue is never rounded away or hidden, since a report that explains everything by
construction proves nothing.

The amount due needs no rule of its own: the package's due is its total less what was paid and credited, so each
cause of a total, paid or credited difference moves the due by the same amount (with the sign that follows).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

ZERO = Decimal(0)
CENT = Decimal("0.01")


class Cause(enum.StrEnum):
    CREDIT_ONLY_IN_PACKAGE = "credit_only_in_package"
    CREDIT_ONLY_HERE = "credit_only_here"
    PAYMENT_NOT_IMPORTED = "payment_not_imported"
    EDITED_IN_PACKAGE = "edited_in_package"
    DELETED_IN_PACKAGE = "deleted_in_package"
    ROUNDING = "rounding"
    NOT_EXPORTED = "not_exported"
    UNEXPLAINED = "unexplained"


#: What to do about each cause, in the words a bookkeeper would use.
ACTIONS = {
    Cause.CREDIT_ONLY_IN_PACKAGE: "Credit-note allocations do not sync (R-I3): allocate the same credit here, or "
                                  "turn on allocation sync (R-X1).",
    Cause.CREDIT_ONLY_HERE: "Credit-note allocations do not sync (R-I3): allocate the same credit in the package, or "
                            "turn on allocation sync (R-X1); with it on, see the upload's allocation diagnostics.",
    Cause.PAYMENT_NOT_IMPORTED: "Import payments (Import tab), then Create & Allocate; fix any diagnostic it shows.",
    Cause.EDITED_IN_PACKAGE: "The package's copy was changed after export: make the same change here (it then goes "
                             "out as an update), or undo the change in the package.",
    Cause.DELETED_IN_PACKAGE: "It was deleted or voided in the package: void it here too, or re-create it there.",
    Cause.ROUNDING: "The package rounds tax differently: set a rounding account in Settings, or accept the cent.",
    Cause.NOT_EXPORTED: "Export it (Export tab): fix its error or wait for the upload; a record marked as exported "
                        "by hand must be checked in the package by hand.",
    Cause.UNEXPLAINED: "No known cause: compare the document in both systems and report it.",
}


@dataclass(frozen=True, slots=True)
class Explanation:
    cause: Cause
    amount: Decimal  # the part of the difference (package - host) this cause accounts for
    detail: str

    @property
    def action(self) -> str:
        return ACTIONS[self.cause]


@dataclass(slots=True)
class Difference:
    level: str  # document | party
    party: str
    currency: str
    measure: str  # total | allocated | credited | amount_due | balance
    host: Decimal
    package: Decimal
    document: str | None = None
    document_type: str | None = None
    explanations: list[Explanation] = field(default_factory=list)

    @property
    def difference(self) -> Decimal:
        return self.package - self.host

    @property
    def explained(self) -> bool:
        return all(e.cause is not Cause.UNEXPLAINED for e in self.explanations)


@dataclass(frozen=True, slots=True)
class HostSide:
    """One document as the host holds it, with what its sync record remembers of the export."""

    number: str
    doc_type: str
    party: str
    currency: str
    total: Decimal  # zero once void
    paid: Decimal  # by payments not reversed
    credited: Decimal  # by credits allocated here (``credits_here``), including what the package confirmed
    void: bool
    lines: int
    version: int
    sync_status: str | None  # None: no sync record yet
    last_error: str | None
    marked_by_hand: bool
    exported_version: int | None
    exported_total: Decimal | None
    unexported_paid: Decimal  # part of ``paid`` by payments made here and not (yet) sent to the package
    package_paid: Decimal  # part of ``paid`` by payments imported from the package
    prepaid: Decimal = ZERO  # part of ``paid`` by prepayments and overpayments applied (a package may count these
    # as credit)
    credited_recorded: Decimal = ZERO  # part of ``credited`` read back from the package (allocation sync)


@dataclass(frozen=True, slots=True)
class PackageSide:
    total: Decimal
    paid: Decimal
    credited: Decimal
    due: Decimal
    gone: str | None  # "deleted" | "voided" | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class Unimported:
    """Payments on this document that were fetched from the package but not created here, and whether the
    package's payments have been fetched since the document last changed there."""

    fetched_open: Decimal
    diagnostics: tuple[str, ...]
    fetched_since_change: bool


def compare_document(host: HostSide, package: PackageSide | None, unimported: Unimported) -> list[Difference]:
    """The document's differences, each split into its causes; empty when the books agree to the cent."""
    if package is None:
        return _not_in_package(host)
    # Xero counts an applied prepayment as credit (AmountCredited), QuickBooks and the host as paid: the same
    # money, so what the package shows as credit instead of paid is moved across before comparing.
    # Only credit the package holds beyond what was read back from it can be such money: credit allocated here
    # and not (yet) sent is not in the package's figure at all.
    moved = min(host.prepaid, max(host.paid - package.paid, ZERO),
                max(package.credited - host.credited_recorded, ZERO))
    if moved:
        host = replace(host, paid=host.paid - moved, credited=host.credited + moved,
                       credited_recorded=host.credited_recorded + moved)
    total = _explain_total(host, package)
    paid = _explain_paid(host, package, unimported)
    credited = _explain_credited(host, package)
    # A void document's total is zero; payments still allocated to it make its due negative (money to refund
    # or move), which is what the package shows too until the void goes out or the payment is undone.
    host_due = host.total - host.paid - host.credited
    due = [Explanation(e.cause, e.amount, e.detail) for e in total]
    due += [Explanation(e.cause, -e.amount, e.detail) for e in paid + credited]
    out = []
    for measure, host_value, package_value, causes in (
            ("total", host.total, package.total, total), ("allocated", host.paid, package.paid, paid),
            ("credited", host.credited, package.credited, credited), ("amount_due", host_due, package.due, due)):
        if host_value != package_value:
            diff = _difference(host, measure, host_value, package_value)
            diff.explanations = _settle(package_value - host_value, causes)
            out.append(diff)
    return out


def _difference(host: HostSide, measure: str, host_value: Decimal, package_value: Decimal) -> Difference:
    return Difference("document", host.party, host.currency, measure, host_value, package_value,
                      document=host.number, document_type=host.doc_type)


def _settle(difference: Decimal, causes: list[Explanation]) -> list[Explanation]:
    """Keep the causes that move this measure; whatever they leave over is unexplained."""
    kept = [c for c in causes if c.amount != 0]
    residue = difference - sum((c.amount for c in kept), ZERO)
    if residue != 0:
        kept.append(Explanation(Cause.UNEXPLAINED, residue, f"{residue} of the difference has no known cause"))
    return kept


def _not_in_package(host: HostSide) -> list[Difference]:
    """Never sent (or marked by hand, so never read back): the package holds nothing we can compare."""
    if host.void and host.exported_version is None:
        return []  # voided before it went out: nothing should be there
    if host.marked_by_hand:
        detail = f"{host.number} was marked as exported by hand: never sent, so never checked against the package"
    elif host.sync_status == "error":
        detail = f"{host.number} is in error feedback: {host.last_error or 'see the error'}"
    elif host.sync_status == "in_progress":
        detail = f"{host.number} is being uploaded now"
    else:
        detail = f"{host.number} waits in Pending Export"
    diff = _difference(host, "total", host.total, ZERO)
    diff.explanations = [Explanation(Cause.NOT_EXPORTED, -host.total, detail)]
    return [diff]


def _explain_total(host: HostSide, package: PackageSide) -> list[Explanation]:
    if package.gone is not None:
        # Deleted or voided there: whatever the package's figures say now, the whole document is gone.
        return [Explanation(Cause.DELETED_IN_PACKAGE, package.total - host.total,
                            f"{host.number} was {package.gone} in the package")]
    out = []
    sent = host.exported_total if host.exported_total is not None else host.total
    if package.total != sent:
        when = f" (changed there {package.updated_at:%Y-%m-%d %H:%M} UTC)" if package.updated_at else ""
        out.append(Explanation(Cause.EDITED_IN_PACKAGE, package.total - sent,
                               f"the package shows {package.total}, {sent} was sent{when}"))
    if sent != host.total:
        if host.void or host.version != host.exported_version:
            what = "voided" if host.void else "edited"
            out.append(Explanation(Cause.NOT_EXPORTED, sent - host.total,
                                   f"{host.number} was {what} here after export; the change waits to go out"))
        elif abs(sent - host.total) <= CENT * max(1, host.lines):
            out.append(Explanation(Cause.ROUNDING, sent - host.total,
                                   f"the package rounded the total to {sent}, the host to {host.total}"))
    return out


def _explain_paid(host: HostSide, package: PackageSide, unimported: Unimported) -> list[Explanation]:
    diff = package.paid - host.paid
    if diff == 0:
        return []
    out = []
    if host.unexported_paid:
        out.append(Explanation(Cause.NOT_EXPORTED, -host.unexported_paid,
                               f"{host.unexported_paid} paid here has not gone to the package"))
        diff += host.unexported_paid
    if package.gone is not None and host.package_paid:
        # a void or delete in the package drops its payments; the import reverses them here
        out.append(Explanation(Cause.DELETED_IN_PACKAGE, -min(host.package_paid, max(-diff, ZERO)),
                               f"{host.number} was {package.gone} in the package with its payments"))
        diff -= out[-1].amount
    if diff > 0 and unimported.fetched_open:
        part = min(diff, unimported.fetched_open)
        why = "; ".join(unimported.diagnostics) or "pending import"
        out.append(Explanation(Cause.PAYMENT_NOT_IMPORTED, part, f"fetched but not created here: {why}"))
        diff -= part
    if diff > 0 and not unimported.fetched_since_change:
        out.append(Explanation(Cause.PAYMENT_NOT_IMPORTED, diff,
                               f"{diff} paid in the package since the last import (not yet fetched)"))
    elif diff < 0 and not unimported.fetched_since_change and -diff <= host.package_paid:
        out.append(Explanation(Cause.DELETED_IN_PACKAGE, diff,
                               "a payment imported from the package was deleted there; the next import reverses it"))
    return out


def _explain_credited(host: HostSide, package: PackageSide) -> list[Explanation]:
    diff = package.credited - host.credited
    if package.gone is not None:
        if diff < 0:  # the package's copy is gone with its credit; the credit here has nothing to meet there
            return [Explanation(Cause.DELETED_IN_PACKAGE, diff,
                                f"{host.number} was {package.gone} in the package; {-diff} of credit is applied "
                                "to it here")]
        return []
    if diff > 0:
        return [Explanation(Cause.CREDIT_ONLY_IN_PACKAGE, diff,
                            f"{diff} of credit was allocated to {host.number} in the package only")]
    # Net of both sides: credit applied here and never confirmed by the package (allocation sync off, or the
    # package refused it) is what can be missing there.
    unconfirmed = host.credited - host.credited_recorded
    if diff < 0 and unconfirmed > 0:
        part = max(diff, -unconfirmed)
        return [Explanation(Cause.CREDIT_ONLY_HERE, part,
                            f"{-part} of credit was allocated to {host.number} here only")]
    return []


def roll_up_parties(differences: list[Difference], balances: dict[tuple[str, str], tuple[Decimal, Decimal]]
                    ) -> list[Difference]:
    """Per party and currency: the balance (what is owed, credits netted) host against package, its causes the
    sum of its documents' amount-due causes. A credit allocated on one side moves an invoice and its credit note
    by the same amount, so the party's balance agrees while both documents differ."""
    causes: dict[tuple[str, str], dict[Cause, Decimal]] = {}
    for d in differences:
        if d.measure != "amount_due":
            continue
        sign = -1 if d.document_type and "credit_note" in d.document_type else 1
        per = causes.setdefault((d.party, d.currency), {})
        for e in d.explanations:
            per[e.cause] = per.get(e.cause, ZERO) + sign * e.amount
    out = []
    for (party, currency), (host_balance, package_balance) in sorted(balances.items()):
        if host_balance == package_balance:
            continue
        diff = Difference("party", party, currency, "balance", host_balance, package_balance)
        explained = [Explanation(cause, amount, f"sum of the party's documents ({cause.value})")
                     for cause, amount in causes.get((party, currency), {}).items() if cause is not Cause.UNEXPLAINED]
        diff.explanations = _settle(package_balance - host_balance, explained)
        out.append(diff)
    return out
