"""Property (issue 5): whatever a business does, on either side and in whatever order, after the last sync the
books agree to the cent or reconciliation names the cause of every difference: nothing is ever "unexplained".

Hypothesis draws a sequence of business events, each applied where it happens in real life: on the host
(through intake, as the host system sends it) or in the package (a bookkeeper in Xero or QuickBooks Online,
through the package's own API; in QuickBooks Desktop, on the sandbox company's books page, ledgerbridge's calls
going through the Web Connector the harness plays), with syncs both ways at random points, and whether allocation
sync (R-X1) is on.
After a last full sync (upload, fetch, create & allocate) the reconciliation must explain everything, nothing may
be left "not yet fetched", and with allocation sync on no credit may be allocated on one side only.

Events drawn:
  here: issue an invoice; take a sales order; ship an order in parts (two invoices of one order); prepay against
  an order (R-E6: it goes out once the order's invoices are seen, split in invoice order); a credit note, for an
  invoice (``credits_document_id``: credit allocated here) or on its own; allocate a credit note here (it is
  re-sent crediting an invoice); edit an invoice; void an invoice;
  syncs: sync both ways (upload, then fetch and create & allocate); fetch only;
  in the package: pay in full, part-pay, overpay (the rest an overpayment or unapplied amount there, a payment on
  account here), allocate a credit note to an invoice, edit an invoice, void an invoice, delete a payment.

In CI: a fixed seed (``derandomize``), a few examples per package and store, and the regression examples below.
Each package runs on one store in CI (``CI_STORE``), on both in the long form. A longer run
(``LEDGERBRIDGE_PROPERTY_TALLY=FILE`` appends each event drawn, to count them):
  LEDGERBRIDGE_PROPERTY_EXAMPLES=200 LEDGERBRIDGE_PROPERTY_STORES=both .venv/bin/python -m pytest tests/property -q
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from conformance.fixtures import HARNESSES, SandboxPool, sandboxes  # noqa: F401 (sandboxes: a fixture)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st

from ledgerbridge.domain.reconcile_rules import Cause, Difference
from ledgerbridge.intake.schemas import IntakeError
from ledgerbridge.sync.reconcile import Reconciliation, unexplained

from .ledger_world import CUSTOMERS, Ledgers, connected, fresh_store, sales_document

EXAMPLES = int(os.environ.get("LEDGERBRIDGE_PROPERTY_EXAMPLES", "2"))
TALLY = os.environ.get("LEDGERBRIDGE_PROPERTY_TALLY")
#: CI runs each package on one store (two on each), for CI's 15 minutes; the long form
#: (``LEDGERBRIDGE_PROPERTY_STORES=both``) runs every package on both. The engine's store code is the same for every
#: package, and the conformance suite runs every package on both stores in CI.
CI_STORE = {"myob": "postgres", "qbd": "postgres", "qbo": "sqlite", "xero": "sqlite"}
BOTH_STORES = os.environ.get("LEDGERBRIDGE_PROPERTY_STORES", "ci") == "both"


def _package_stores() -> list[tuple[str, str]]:
    return [(package, backend) for package in sorted(HARNESSES) for backend in ("sqlite", "postgres")
            if BOTH_STORES or CI_STORE.get(package, "sqlite") == backend]

HERE = ["issue", "take_order", "ship_in_parts", "prepay", "credit", "allocate_credit_here", "edit_here", "void_here"]
THERE = ["pay_full", "pay_part", "overpay", "allocate_credit_there", "edit_there", "void_there",
         "delete_payment_there"]
EVENTS = [*HERE, "sync", "fetch_only", *THERE]
HOST_OPENING = ["issue", "issue", "ship_in_parts", "take_order", "prepay", "credit", "credit"]
event = st.tuples(st.sampled_from(EVENTS + ["sync", "pay_part", "allocate_credit_there", "prepay"]),
                  st.integers(0, 50), st.integers(1, 99))
# The host trades first and the first sync sends it, so the package's events have documents to act on.
opening = st.lists(st.tuples(st.sampled_from(HOST_OPENING), st.integers(0, 50), st.integers(1, 99)),
                   min_size=2, max_size=5)
scenario = st.builds(lambda first, rest: [*first, ("sync", 0, 1), *rest], opening,
                     st.lists(event, min_size=1, max_size=12))


@dataclass
class Model:
    """What the host has sent so far, to pick each event's subject from."""

    invoices: dict[str, tuple[str, list[int]]] = field(default_factory=dict)  # number -> (party, prices)
    orders: dict[str, tuple[str, list[int]]] = field(default_factory=dict)  # order -> (party, prices)
    shipped: set[str] = field(default_factory=set)  # orders invoiced
    # credit number -> (party, prices, the invoice it credits here or None)
    credits: dict[str, tuple[str, list[int], str | None]] = field(default_factory=dict)
    voided: set[str] = field(default_factory=set)
    payments_there: list[str] = field(default_factory=list)
    next_number: int = 1

    def number(self, prefix: str) -> str:
        self.next_number += 1
        return f"{prefix}-{self.next_number:04d}"

    def live(self, party: str | None = None) -> list[str]:
        return sorted(n for n, (p, _) in self.invoices.items() if n not in self.voided and party in (None, p))


def _pick(values: list[str], index: int) -> str | None:
    return values[index % len(values)] if values else None


def _due(ledgers: Ledgers, doc_type: str, ext: str) -> Decimal:
    found = ledgers.connector().read_back_documents([(doc_type, ext)])
    return found[ext].amount_due if ext in found else Decimal(0)


def _gross(prices: list[int]) -> Decimal:
    return sum((Decimal(p) * Decimal("1.2") for p in prices), Decimal(0)).quantize(Decimal("0.01"))


def _take_order(ledgers: Ledgers, model: Model, party: str, a: int, b: int) -> str:
    order = model.number("SO")
    model.orders[order] = (party, [40 + b, 20 + a])
    ledgers.host(documents=[sales_document(order, "sales_order", party, model.orders[order][1])])
    return order


def _ship(ledgers: Ledgers, model: Model, order: str) -> None:
    """The order's two parts invoiced at once (the first part then the second, in invoice order)."""
    party, prices = model.orders[order]
    model.shipped.add(order)
    docs = []
    for part, price in enumerate(prices, start=1):
        number = f"{order.replace('SO', 'INV')}-{part}"
        model.invoices[number] = (party, [price])
        docs.append({**sales_document(number, "sales_invoice", party, [price]), "sales_order_host_id": order})
    ledgers.host(documents=docs)


def apply(ledgers: Ledgers, model: Model, kind: str, a: int, b: int) -> None:
    party = CUSTOMERS[a % len(CUSTOMERS)][0]
    if kind == "issue":
        number = model.number("INV")
        model.invoices[number] = (party, [10 + b, 5 + a])
        ledgers.host(documents=[sales_document(number, "sales_invoice", party, model.invoices[number][1])])
    elif kind == "take_order":
        _take_order(ledgers, model, party, a, b)
    elif kind == "ship_in_parts":
        waiting = sorted(set(model.orders) - model.shipped)
        _ship(ledgers, model, _pick(waiting, a) if waiting and b % 2 else _take_order(ledgers, model, party, a, b))
    elif kind == "prepay":
        # A deposit of 1% to 165% of the order: more than its invoices leaves a remainder as a prepayment there.
        order = _pick(sorted(model.orders), a) or _take_order(ledgers, model, party, a, b)
        order_party, prices = model.orders[order]
        amount = (_gross(prices) * b / 60).quantize(Decimal("0.01"))
        ledgers.host(payments=[{"host_id": model.number("PP"), "direction": "in", "kind": "prepayment",
                                "party_host_id": order_party, "payment_date": "2026-11-02", "amount": str(amount),
                                "currency": "GBP", "method_code": "BACS", "sales_order_host_id": order,
                                "reference": f"Deposit {order}"}])
    elif kind == "credit":
        invoice = _pick(model.live(), a)
        if invoice:
            number = model.number("CN")
            credits = invoice if b % 2 == 0 else None  # credit allocated here, or a credit on the account
            model.credits[number] = (model.invoices[invoice][0], [1 + b % 10], credits)
            ledgers.host(documents=[sales_document(number, "sales_credit_note", model.credits[number][0],
                                                   model.credits[number][1], credits=credits)])
    elif kind == "allocate_credit_here":
        credit = _pick(sorted(n for n, (_, _, credits) in model.credits.items() if credits is None), a)
        if credit:
            credit_party, prices, _ = model.credits[credit]
            invoice = _pick(model.live(credit_party), b)
            if invoice:
                model.credits[credit] = (credit_party, prices, invoice)
                ledgers.host(documents=[sales_document(credit, "sales_credit_note", credit_party, prices,
                                                       credits=invoice)])
    elif kind == "edit_here":
        invoice = _pick(model.live(), a)
        if invoice:
            inv_party, prices = model.invoices[invoice]
            model.invoices[invoice] = (inv_party, [*prices[:-1], prices[-1] + b])
            document = sales_document(invoice, "sales_invoice", inv_party, model.invoices[invoice][1])
            ledgers.host(documents=[{**document, **_order_of(invoice)}])
    elif kind == "void_here":
        invoice = _pick(model.live(), a)
        if invoice:
            inv_party, prices = model.invoices[invoice]
            document = sales_document(invoice, "sales_invoice", inv_party, prices, status="void")
            try:
                ledgers.host(documents=[{**document, **_order_of(invoice)}])
            except IntakeError as refused:  # payments here settle it: the host system is told why (a 422)
                if "remove those allocations before voiding it" not in str(refused):
                    raise
                return
            model.voided.add(invoice)
    elif kind == "sync":
        ledgers.upload()
        ledgers.import_payments()
    elif kind == "fetch_only":
        ledgers.import_payments(create=False)
    else:
        in_package(ledgers, model, kind, a, b)


def _order_of(invoice: str) -> dict[str, str]:
    """An order's invoice is re-sent naming its order, as the host system always sends it."""
    if invoice.startswith("INV-") and invoice.count("-") == 2:
        return {"sales_order_host_id": invoice.rsplit("-", 1)[0].replace("INV", "SO")}
    return {}


def in_package(ledgers: Ledgers, model: Model, kind: str, a: int, b: int) -> None:
    """A bookkeeper's action in the package; what the package refuses (as its user would see it: the harness says
    what a refusal looks like) is not done."""
    exported = [n for n in sorted(model.invoices) if ledgers.ext(n)]
    invoice = _pick(exported, a)
    try:
        if kind in ("pay_full", "pay_part", "overpay") and invoice:
            ext = ledgers.ext(invoice) or ""
            due = _due(ledgers, "sales_invoice", ext)
            if kind == "overpay" and due > 0:
                model.payments_there.append(ledgers.user.overpay(ext, due, Decimal(b) / 4))
                return
            amount = due if kind == "pay_full" else (due * b / 100).quantize(Decimal("0.01"))
            if amount > 0:
                model.payments_there.append(ledgers.user.pay(ext, amount))
        elif kind == "allocate_credit_there":
            credit = _pick([n for n in sorted(model.credits) if ledgers.ext(n)], a)
            targets = [n for n in exported if credit and model.invoices[n][0] == model.credits[credit][0]]
            if credit and targets:
                target = ledgers.ext(targets[b % len(targets)]) or ""
                credit_ext = ledgers.ext(credit) or ""
                amount = min(_due(ledgers, "sales_credit_note", credit_ext), _due(ledgers, "sales_invoice", target))
                if amount > 0:
                    ledgers.user.allocate_credit(credit_ext, target, amount)
        elif kind == "edit_there" and invoice:
            ledgers.user.add_to_total(ledgers.ext(invoice) or "", Decimal(b))
        elif kind == "void_there" and invoice:
            ledgers.user.void(ledgers.ext(invoice) or "")
        elif kind == "delete_payment_there" and model.payments_there:
            ledgers.user.delete_payment(model.payments_there.pop(a % len(model.payments_there)))
    except Exception as refused:  # noqa: BLE001 - what counts as the package refusing is the harness's to say
        if not ledgers.world.harness.user_was_refused(refused):
            raise


def _credit_on_one_side(report: Reconciliation) -> list[Difference]:
    """With allocation sync on: credit allocated in the package is always read back, so none may be there only;
    credit allocated here may stay here only where the package cannot take it: the invoice owes less there than
    the credit (paid there first), or the party has a document that is not (yet) in the package as it is here."""
    blocked = {d.party for d in report.differences for e in d.explanations if e.cause is Cause.NOT_EXPORTED}
    due_there = {d.document: d.package for d in report.differences if d.measure == "amount_due"}
    out = []
    for d in report.differences:
        for e in d.explanations:
            if e.cause is Cause.CREDIT_ONLY_IN_PACKAGE:
                out.append(d)
            elif (e.cause is Cause.CREDIT_ONLY_HERE and d.document_type == "sales_invoice" and d.party not in blocked
                  and due_there.get(d.document, Decimal(0)) >= -e.amount and d.measure == "credited"):
                out.append(d)
    return out


@pytest.mark.parametrize(("package", "backend"), _package_stores())
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, print_blob=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(allocation_sync=st.booleans(), events=scenario)
# Every kind of event at least once, so that the CI form (two drawn examples) covers each of them.
@example(allocation_sync=False,
         events=[("issue", 1, 30), ("take_order", 2, 40), ("prepay", 3, 60), ("credit", 4, 20), ("credit", 5, 30),
                 ("sync", 0, 1), ("ship_in_parts", 0, 10), ("allocate_credit_here", 0, 50), ("edit_here", 0, 20),
                 ("overpay", 1, 50), ("sync", 0, 1), ("allocate_credit_there", 2, 30), ("pay_part", 0, 40),
                 ("pay_full", 3, 1), ("edit_there", 1, 10), ("void_there", 2, 5), ("delete_payment_there", 0, 1),
                 ("fetch_only", 0, 1), ("void_here", 4, 3), ("take_order", 6, 7), ("prepay", 7, 150),
                 ("ship_in_parts", 1, 2)])
# Found by this test on QuickBooks: voided here, part-paid there before the void went out (then refused).
@example(allocation_sync=False,
         events=[("issue", 47, 42), ("credit", 0, 44), ("sync", 0, 1), ("void_here", 0, 75), ("pay_part", 0, 1)])
# Found by this test on QuickBooks: an overpayment (one Payment, its unapplied rest a second part here) fetched,
# then deleted there: the deletion named only the Payment, so its parts were created here after all.
@example(allocation_sync=True,
         events=[("ship_in_parts", 42, 18), ("issue", 0, 6), ("issue", 39, 18), ("issue", 34, 9), ("issue", 49, 25),
                 ("sync", 0, 1), ("allocate_credit_there", 35, 37), ("overpay", 32, 84), ("fetch_only", 36, 30),
                 ("edit_there", 38, 10), ("delete_payment_there", 15, 56), ("pay_part", 31, 66), ("issue", 37, 13),
                 ("prepay", 0, 1)])
def test_after_the_last_sync_every_difference_has_a_cause(package: str, backend: str,
                                                           sandboxes: SandboxPool,  # noqa: F811
                                                           tmp_path_factory: pytest.TempPathFactory,
                                                           allocation_sync: bool,
                                                           events: list[tuple[str, int, int]]) -> None:
    harness = HARNESSES[package]
    sandbox = sandboxes.get(harness)
    if TALLY:
        with open(TALLY, "a") as tally:
            tally.write("".join(f"{package} {backend} {kind}\n" for kind, _, _ in events)
                        + f"{package} {backend} example allocation_sync={allocation_sync}\n")
    with fresh_store(backend, Path(tmp_path_factory.mktemp("store"))) as sessions, \
            connected(harness, sessions, sandbox) as ledgers:
        ledgers.allocation_sync(allocation_sync)
        model = Model()
        for kind, a, b in events:
            apply(ledgers, model, kind, a, b)
        ledgers.upload()
        ledgers.import_payments()
        report = ledgers.reconcile()
    for cause in sorted(report.by_cause()):
        hypothesis_event(f"cause: {cause}")  # `pytest --hypothesis-show-statistics` shows what was exercised
    assert unexplained(report) == [], report.as_dict()
    assert not [e for d in report.differences for e in d.explanations if "not yet fetched" in e.detail]
    if allocation_sync:  # R-X1: allocations reach the other side, where the package can take them
        assert not _credit_on_one_side(report), report.as_dict()
