"""Property (issue 5): whatever a business does, on either side and in whatever order, after the last sync the
books agree to the cent or reconciliation names the cause of every difference: nothing is ever "unexplained".

Hypothesis draws a sequence of business events, each applied where it happens in real life: on the host
(through intake, as the host system sends it) or in the package (a bookkeeper in Xero or QuickBooks Online,
through the package's own API), with syncs both ways at random points. After a last full sync (upload, fetch,
create & allocate) the reconciliation must explain everything, and nothing may be left "not yet fetched".

Events drawn now:
  issue an invoice; ship an order in parts (two invoices of one order); a credit note for an invoice; edit an
  invoice here; void an invoice here; sync both ways (upload, then fetch and create & allocate); fetch only;
  in the package: pay in full, part-pay, allocate a credit note to an invoice, edit an invoice, void an
  invoice, delete a payment.
Left out until their machinery exists (branch ``payments``, issue 5 items 1-4): prepay against a sales order
  (R-E6 prepayment export), overpay (overpayments and payments on account imported as unallocated), allocate a
  credit here (host-side credit allocations and R-X1 allocation sync). Add them to ``EVENTS`` as they land.

In CI: a fixed seed (``derandomize``) and a few examples per package and store. A longer run:
  LEDGERBRIDGE_PROPERTY_EXAMPLES=200 .venv/bin/python -m pytest tests/property -q
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from conformance.fixtures import HARNESSES, SandboxPool, sandboxes  # noqa: F401 (sandboxes: a fixture)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st

from ledgerbridge.reconcile import unexplained

from .ledger_world import CUSTOMERS, Ledgers, connect, fresh_store, sales_document

EXAMPLES = int(os.environ.get("LEDGERBRIDGE_PROPERTY_EXAMPLES", "2"))
EVENTS = ["issue", "ship_in_parts", "credit", "edit_here", "void_here", "sync", "fetch_only", "pay_full",
          "pay_part", "allocate_credit_there", "edit_there", "void_there", "delete_payment_there"]
HOST_OPENING = ["issue", "issue", "ship_in_parts", "credit", "credit"]
event = st.tuples(st.sampled_from(EVENTS + ["sync", "pay_part", "allocate_credit_there"]), st.integers(0, 50),
                  st.integers(1, 99))
# The host trades first and the first sync sends it, so the package's events have documents to act on.
opening = st.lists(st.tuples(st.sampled_from(HOST_OPENING), st.integers(0, 50), st.integers(1, 99)),
                   min_size=2, max_size=5)
scenario = st.builds(lambda first, rest: [*first, ("sync", 0, 1), *rest], opening,
                     st.lists(event, min_size=1, max_size=12))


@dataclass
class Model:
    """What the host has sent so far, to pick each event's subject from."""

    invoices: dict[str, tuple[str, list[int]]] = field(default_factory=dict)  # number -> (party, prices)
    credits: dict[str, str] = field(default_factory=dict)  # credit number -> party
    voided: set[str] = field(default_factory=set)
    payments_there: list[str] = field(default_factory=list)
    next_number: int = 1

    def number(self, prefix: str) -> str:
        self.next_number += 1
        return f"{prefix}-{self.next_number:04d}"

    def live(self) -> list[str]:
        return sorted(n for n in self.invoices if n not in self.voided)


def _pick(values: list[str], index: int) -> str | None:
    return values[index % len(values)] if values else None


def _due(ledgers: Ledgers, doc_type: str, ext: str) -> Decimal:
    found = ledgers.connector().read_back_documents([(doc_type, ext)])
    return found[ext].amount_due if ext in found else Decimal(0)


def apply(ledgers: Ledgers, model: Model, kind: str, a: int, b: int) -> None:
    party = CUSTOMERS[a % len(CUSTOMERS)][0]
    if kind == "issue":
        number = model.number("INV")
        model.invoices[number] = (party, [10 + b, 5 + a])
        ledgers.host(documents=[sales_document(number, "sales_invoice", party, model.invoices[number][1])])
    elif kind == "ship_in_parts":
        order = model.number("SO")
        docs = [sales_document(order, "sales_order", party, [40 + b, 20 + a])]
        for part, price in ((1, 40 + b), (2, 20 + a)):
            number = f"{order.replace('SO', 'INV')}-{part}"
            model.invoices[number] = (party, [price])
            docs.append({**sales_document(number, "sales_invoice", party, [price]), "sales_order_host_id": order})
        ledgers.host(documents=docs)
    elif kind == "credit":
        invoice = _pick(model.live(), a)
        if invoice:
            number = model.number("CN")
            model.credits[number] = model.invoices[invoice][0]
            ledgers.host(documents=[sales_document(number, "sales_credit_note", model.credits[number],
                                                   [1 + b % 10], credits=invoice)])
    elif kind == "edit_here":
        invoice = _pick(model.live(), a)
        if invoice:
            inv_party, prices = model.invoices[invoice]
            model.invoices[invoice] = (inv_party, [*prices[:-1], prices[-1] + b])
            ledgers.host(documents=[sales_document(invoice, "sales_invoice", inv_party, model.invoices[invoice][1])])
    elif kind == "void_here":
        invoice = _pick(model.live(), a)
        if invoice:
            model.voided.add(invoice)
            inv_party, prices = model.invoices[invoice]
            ledgers.host(documents=[sales_document(invoice, "sales_invoice", inv_party, prices, status="void")])
    elif kind == "sync":
        ledgers.upload()
        ledgers.import_payments()
    elif kind == "fetch_only":
        ledgers.import_payments(create=False)
    else:
        in_package(ledgers, model, kind, a, b)


def in_package(ledgers: Ledgers, model: Model, kind: str, a: int, b: int) -> None:
    """A bookkeeper's action in the package; what the package refuses (a 400, as a user would see it) is not done."""
    exported = [n for n in sorted(model.invoices) if ledgers.ext(n)]
    invoice = _pick(exported, a)
    try:
        if kind in ("pay_full", "pay_part") and invoice:
            ext = ledgers.ext(invoice) or ""
            due = _due(ledgers, "sales_invoice", ext)
            amount = due if kind == "pay_full" else (due * b / 100).quantize(Decimal("0.01"))
            if amount > 0:
                model.payments_there.append(ledgers.user.pay(ext, amount))
        elif kind == "allocate_credit_there":
            credit = _pick([n for n in sorted(model.credits) if ledgers.ext(n)], a)
            targets = [n for n in exported if credit and model.invoices[n][0] == model.credits[credit]]
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
    except httpx.HTTPStatusError as refused:
        if refused.response.status_code != 400:
            raise


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
@pytest.mark.parametrize("package", sorted(HARNESSES))
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, print_blob=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(events=scenario)
# Found by this test on QuickBooks: voided here, part-paid there before the void went out (then refused).
@example(events=[("issue", 47, 42), ("credit", 0, 44), ("sync", 0, 1), ("void_here", 0, 75), ("pay_part", 0, 1)])
def test_after_the_last_sync_every_difference_has_a_cause(package: str, backend: str,
                                                           sandboxes: SandboxPool,  # noqa: F811
                                                           tmp_path_factory: pytest.TempPathFactory,
                                                           events: list[tuple[str, int, int]]) -> None:
    harness = HARNESSES[package]
    sandbox = sandboxes.get(harness)
    harness.reset(sandbox)
    check = harness.contract()
    transport = check.transport()
    with fresh_store(backend, Path(tmp_path_factory.mktemp("store"))) as sessions:
        ledgers = connect(harness, sessions, sandbox.base_url, transport)
        try:
            model = Model()
            for kind, a, b in events:
                apply(ledgers, model, kind, a, b)
            ledgers.upload()
            ledgers.import_payments()
            report = ledgers.reconcile()
        finally:
            ledgers.close()
    for cause in sorted(report.by_cause()):
        hypothesis_event(f"cause: {cause}")  # `pytest --hypothesis-show-statistics` shows what was exercised
    assert unexplained(report) == [], report.as_dict()
    assert not [e for d in report.differences for e in d.explanations if "not yet fetched" in e.detail]
    check.assert_clean()
