"""Settings that take effect (R-C4, issue 15 item 3): a line without a nominal of its own goes to the account the
settings name for its kind and document type, on every package; with the setting empty, pre-check names it and
nothing is sent.

Each default is set to the account a host nominal is mapped to, and a reference document posts lines to those
nominals: the lines without a nominal must land where the reference's lines landed, each on its own account (so a
default read from the wrong setting, or not read at all, fails)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ledgerbridge.demo.data import demo_batch
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.store.db import session_scope
from ledgerbridge.sync.allocation_sync import AllocationSync
from ledgerbridge.sync.exporter import Exporter
from ledgerbridge.sync.write_off import write_off_invoice

from .fixtures import SandboxPool
from .harness import PackageHarness, PackageWorld
from .records import change_settings, document_ids, document_records

#: Host nominal whose mapped account each default is set to (two sales, two purchases: each pair distinct).
DEFAULTS = {"labour_income_account": "4010", "materials_income_account": "4000", "credit_note_account": "4010",
            "default_supplier_invoice_account": "5000", "default_supplier_expense_account": "7500"}
NUMBERS = ["SET-REF", "SET-DEF", "SET-CN", "SET-BREF", "SET-BDEF"]


def _line(description: str, price: str, **coding: str) -> dict[str, Any]:
    return {"description": description, "quantity": "1", "unit_price": price, "tax_code": "T1", **coding}


def _with_uncoded_lines(batch: dict[str, Any]) -> dict[str, Any]:
    """The demo's month, and documents whose lines name no nominal beside references that name the nominals."""
    currency = batch["documents"][0]["currency"]

    def doc(number: str, doc_type: str, party: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
        status = "posted" if doc_type.startswith("purchase") else "issued"
        return {"host_id": number, "type": doc_type, "number": number, "status": status, "issue_date": "2026-11-20",
                "party_host_id": party, "currency": currency, "lines": lines}

    batch["documents"] += [
        doc("SET-REF", "sales_invoice", "C001", [_line("Fitting", "38.00", nominal_code="4010"),
                                                 _line("Oak shelf", "42.50", nominal_code="4000")]),
        doc("SET-DEF", "sales_invoice", "C001", [_line("Fitting", "38.00", kind="labour"),
                                                 _line("Oak shelf", "42.50", kind="materials")]),
        doc("SET-CN", "sales_credit_note", "C001", [_line("Goodwill", "10.00")]),
        doc("SET-BREF", "purchase_invoice", "S001", [_line("Timber", "50.00", nominal_code="5000"),
                                                     _line("Stationery", "12.00", nominal_code="7500")]),
        doc("SET-BDEF", "purchase_invoice", "S001", [_line("Timber", "50.00"),
                                                     _line("Stationery", "12.00", kind="expense")]),
    ]
    return batch


def _upload(world: PackageWorld) -> None:
    Exporter(world.sessions, world.conn_id, world.connector()).upload(document_ids(world, NUMBERS))


def test_lines_without_a_nominal_go_to_the_accounts_the_settings_name(
        sessions: sessionmaker[Session], sandboxes: SandboxPool, package: PackageHarness) -> None:
    with package.opened(sessions, sandboxes.get(package), batch=_with_uncoded_lines(demo_batch())) as world:
        # Settings empty: pre-check names the setting each document needs; nothing of them is sent.
        _upload(world)
        records = document_records(world)
        needs = {"SET-DEF": "Labour income account", "SET-CN": "Credit note account",
                 "SET-BDEF": "Default supplier invoice account"}
        for number, label in needs.items():
            assert records[number].status == "error" and f"'{label}' setting" in (records[number].last_error or ""), \
                (number, records[number].last_error)
        assert "'Materials income account' setting" in (records["SET-DEF"].last_error or "")
        assert "'Default supplier expense account' setting" in (records["SET-BDEF"].last_error or "")
        assert world.remote_document("SET-DEF") is None and world.remote_document("SET-BDEF") is None

        accounts = spec_for(package.kind).demo.nominal
        change_settings(world, **{name: accounts[nominal] for name, nominal in DEFAULTS.items()})
        _upload(world)
        remote = {number: world.remote_document(number) for number in NUMBERS}
        assert all(remote.values()), {n: d is not None for n, d in remote.items()}
        sales_ref, bills_ref = remote["SET-REF"].line_accounts, remote["SET-BREF"].line_accounts  # type: ignore[union-attr]
        assert len(set(sales_ref)) == 2 and len(set(bills_ref)) == 2, (sales_ref, bills_ref)
        assert remote["SET-DEF"].line_accounts == sales_ref  # type: ignore[union-attr]  # labour, then materials
        assert remote["SET-CN"].line_accounts == sales_ref[:1]  # type: ignore[union-attr]  # the credit note account
        assert remote["SET-BDEF"].line_accounts == bills_ref  # type: ignore[union-attr]  # bill, then expense
        assert all(document_records(world)[n].status in ("exported", "seen") for n in NUMBERS)


def test_a_write_off_goes_to_the_bad_debt_account_and_is_applied_to_the_invoice(
        sessions: sessionmaker[Session], sandboxes: SandboxPool, package: PackageHarness) -> None:
    """The bad debt account (R-C4): a write-off sent from the host goes out as the package records write-offs, a
    credit note on the bad debt account applied to the invoice, even with allocation sync off (R-X1 is for the
    host's own credit notes). A reference credit note posted to the same account's nominal shows where it lands."""
    batch = demo_batch()
    invoice = batch["documents"][0]
    batch["documents"].append({
        "host_id": "SET-CNREF", "type": "sales_credit_note", "number": "SET-CNREF", "status": "issued",
        "issue_date": invoice["issue_date"], "party_host_id": invoice["party_host_id"],
        "currency": invoice["currency"], "lines": [_line("Reference", "5.00", nominal_code="7500")]})
    with package.opened(sessions, sandboxes.get(package), batch=batch) as world:
        change_settings(world, relax_restrictions=True,  # the reference posts a sales document to a cost account
                        bad_debt_account=spec_for(package.kind).demo.nominal["7500"])
        Exporter(world.sessions, world.conn_id, world.connector()).upload(
            document_ids(world, [invoice["number"], "SET-CNREF"]))
        with session_scope(world.sessions) as session:
            made = write_off_invoice(session, world.org_id, invoice["host_id"], reason="customer gone")
        assert made.credit_note_number == f"WO-{invoice['number']}"
        Exporter(world.sessions, world.conn_id, world.connector()).upload(
            document_ids(world, [made.credit_note_number]))
        synced = AllocationSync(world.sessions, world.conn_id, world.connector()).run()
        assert synced.pushed == 1 and synced.skipped, synced  # allocation sync is off: only the write-off goes
        remote = world.remote_document(made.credit_note_number)
        reference = world.remote_document("SET-CNREF")
        assert remote is not None and reference is not None
        assert remote.total == made.amount and remote.line_accounts == reference.line_accounts
        paid = world.remote_document(invoice["number"])
        assert paid is not None and paid.state == "paid", paid
