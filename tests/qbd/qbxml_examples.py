"""One or more filled-in calls of every qbXML builder, for the schema tests (each wrapped in a message and checked
against the 13.0 and 16.0 XSDs) and the envelope's. ``BUILDERS`` lists every builder the library exports, found by
its return type, so a builder added without an example here fails ``test_every_builder_has_an_example``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import ledgerbridge.packages.qbd.qbxml as qbxml_package
from ledgerbridge.packages.qbd.qbxml import (
    hcp,
    items,
    iterators,
    list_queries,
    parties,
    payments,
    purchases,
    sales,
    txn_queries,
    voids,
)
from ledgerbridge.packages.qbd.qbxml.common import Address, SetCredit
from ledgerbridge.packages.qbd.qbxml.line_plan import LinePlan
from ledgerbridge.packages.qbd.qbxml.nodes import Element, Macro, TxnRef
from ledgerbridge.packages.qbd.qbxml.values import ListTarget, Ref, TxnTarget, external_guid

GUID = external_guid("key-1")
WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
CUSTOMER = Ref(list_id="80000001-1700000000", full_name="Acme Corp")
VENDOR = Ref(full_name="Timber & Co")
ACCOUNT = Ref(full_name="Sales:Shelving")
ITEM = Ref(list_id="80000005-1700000000")
TAX = Ref(full_name="S")
ADDRESS = Address(addr1="Acme Corp", addr2="1 Main St", city="Leeds", postal_code="LS1 1AA", country="UK")

SALES_HEADER = sales.SalesHeader(
    customer=CUSTOMER, txn_date=date(2026, 12, 2), ref_number="INV-1001", ar_account=Ref(full_name="AR"),
    bill_address=ADDRESS, po_number="SO-5002", terms=Ref(full_name="Net 30"), due_date=date(2027, 1, 1),
    memo="Order SO-5002", is_tax_included=False, exchange_rate=Decimal("1.2345"))
SALES_LINES = (
    sales.SalesLine(item=ITEM, desc="Oak shelf 900mm", quantity=Decimal("2"), rate=Decimal("42.50"),
                    amount=Decimal("85.00"), sales_tax_code=TAX, override_item_account=ACCOUNT),
    sales.SalesLine(item=Ref(full_name="Rounding"), desc="Rounding", amount=Decimal("-0.01"),
                    sales_tax_code=Ref(full_name="O")),
)
PURCHASE_HEADER = purchases.PurchaseHeader(
    vendor=VENDOR, txn_date=date(2026, 12, 3), ref_number="PO-7 SUP-881", ap_account=Ref(full_name="AP"),
    memo="Komet vendor invoice", is_tax_included=False)
EXPENSE = purchases.ExpenseLine(account=Ref(full_name="Purchases"), amount=Decimal("120.00"), memo="Timber",
                                sales_tax_code=TAX, tax_amount=Decimal("24.00"))
ITEM_LINE = purchases.ItemLine(item=ITEM, desc="Brackets", quantity=Decimal("4"), cost=Decimal("1.25"),
                               amount=Decimal("5.00"), sales_tax_code=TAX)
PARTY = parties.PartyFields(name="Acme Corp", is_active=True, company_name="Acme Corp Ltd", first_name="Ann",
                            last_name="Smith", address=ADDRESS, phone="0113 000000", email="ap@acme.example",
                            contact="Ann Smith", account_number="C001", terms=Ref(full_name="Net 30"),
                            credit_limit=Decimal("5000.00"), notes="From the host", sales_tax_code=TAX,
                            tax_registration_number="GB123456789", currency=Ref(full_name="British Pound Sterling"))
TARGET = TxnTarget("1A2B-1700000000", "1700000001")
CURRENT = ("1A2C-1700000000", "1A2D-1700000000")


def _examples() -> dict[str, list[Callable[[], Element]]]:
    started = txn_queries.changed_since("ReceivePayment", WHEN, request_id="pay-1", page_size=100)
    customers = list_queries.customer_query(request_id="c-1", page_size=200)
    return {
        "list_queries.list_query": [
            lambda: list_queries.list_query("ItemService", request_id="l-1", full_names=["Consulting"]),
            lambda: list_queries.list_query("Customer", request_id="l-2", selection=list_queries.ListFilter(
                max_returned=10, active_status="All", from_modified=WHEN, to_modified=WHEN + timedelta(days=1),
                name=list_queries.NameFilter("StartsWith", "Ac")), include_ret=["ListID", "EditSequence"],
                owner_ids=[GUID]),
        ],
        "list_queries.account_query": [lambda: list_queries.account_query(request_id="a-1")],
        "list_queries.sales_tax_code_query": [lambda: list_queries.sales_tax_code_query(request_id="t-1")],
        "list_queries.item_query": [lambda: list_queries.item_query(request_id="i-1", page_size=500),
                                    lambda: list_queries.item_query(request_id="i-2", list_ids=["80000005-1"])],
        "list_queries.terms_query": [lambda: list_queries.terms_query(request_id="te-1")],
        "list_queries.payment_method_query": [lambda: list_queries.payment_method_query(request_id="pm-1")],
        "list_queries.currency_query": [lambda: list_queries.currency_query(request_id="cu-1")],
        "list_queries.customer_query": [lambda: list_queries.customer_query(request_id="c-2",
                                                                            full_names=["Acme Corp"])],
        "list_queries.vendor_query": [lambda: list_queries.vendor_query(request_id="v-1", list_ids=["80000009-1"])],
        "list_queries.entity_query": [lambda: list_queries.entity_query(request_id="e-1", full_names=["Acme Corp"])],
        "parties.customer_add": [lambda: parties.customer_add(PARTY, external_guid=GUID, request_id="ca-1")],
        "parties.customer_mod": [lambda: parties.customer_mod(ListTarget("80000001-1", "1700000002"), PARTY,
                                                              request_id="cm-1")],
        "parties.vendor_add": [lambda: parties.vendor_add(
            parties.PartyFields(name="Timber & Co", address=ADDRESS, vendor_tax_ident="12-3456789",
                                account_number="S001", email="sales@timber.example"),
            external_guid=GUID, request_id="va-1")],
        "parties.vendor_mod": [lambda: parties.vendor_mod(ListTarget("80000009-1", "17"), PARTY,
                                                          request_id="vm-1")],
        "items.item_service_add": [
            lambda: items.item_service_add(items.ItemFields(
                name="Sales to account 4000", posting=items.SalesOrPurchase(ACCOUNT, "Sales", Decimal("10.5")),
                parent=Ref(full_name="ledgerbridge"), class_ref=Ref(full_name="Retail"), sales_tax_code=TAX,
                is_tax_included=False), external_guid=GUID, request_id="is-1"),
        ],
        "items.item_non_inventory_add": [
            lambda: items.item_non_inventory_add(items.ItemFields(
                name="BRKT-SET", posting=items.SalesAndPurchase(
                    ACCOUNT, Ref(full_name="Purchases"), "Bracket set", Decimal("7.95"), "Bracket set (4)",
                    Decimal("3.10"), TAX), parent=Ref(full_name="ledgerbridge"), class_ref=Ref(full_name="Retail"),
                manufacturer_part_number="BR-4", sales_tax_code=TAX), external_guid=GUID, request_id="in-1"),
        ],
        "items.item_service_mod": [lambda: items.item_service_mod(ListTarget("80000005-1", "3"), items.ItemFields(
            name="Rounding", posting=items.SalesOrPurchase(ACCOUNT), class_ref=Ref(full_name="Retail"),
            parent=Ref(full_name="ledgerbridge")), request_id="ism-1")],
        "items.item_non_inventory_mod": [lambda: items.item_non_inventory_mod(
            ListTarget("80000006-1", "4"), items.ItemFields(
                name="BRKT-SET", posting=items.SalesAndPurchase(ACCOUNT, Ref(full_name="Purchases"), "Brackets"),
                class_ref=Ref(full_name="Retail"), parent=Ref(full_name="ledgerbridge"),
                manufacturer_part_number="BR-4"), request_id="inm-1")],
        "sales.invoice_add": [
            lambda: sales.invoice_add(SALES_HEADER, SALES_LINES, external_guid=GUID, request_id="inv-1",
                                      macro=Macro("inv1"), link_to_txn_ids=["99-1"],
                                      set_credits=[SetCredit(TxnRef("CM-1"), Decimal("5.00"))]),
        ],
        "sales.invoice_mod": [
            lambda: sales.invoice_mod(TARGET, SALES_HEADER, LinePlan.replace(CURRENT, SALES_LINES),
                                      request_id="im-1"),
            lambda: sales.invoice_mod(TARGET, SALES_HEADER, LinePlan.edit(
                CURRENT, change={CURRENT[1]: SALES_LINES[0]}, add=[SALES_LINES[1]]), request_id="im-2"),
            lambda: sales.invoice_mod(TARGET, SALES_HEADER, None, request_id="im-3"),
        ],
        "sales.credit_memo_add": [lambda: sales.credit_memo_add(SALES_HEADER, SALES_LINES, external_guid=GUID,
                                                                request_id="cn-1", macro=Macro("cn1"))],
        "sales.credit_memo_mod": [lambda: sales.credit_memo_mod(TARGET, SALES_HEADER, LinePlan.edit(
            CURRENT, delete=[CURRENT[0]]), request_id="cnm-1")],
        "purchases.bill_add": [
            lambda: purchases.bill_add(replace(PURCHASE_HEADER, due_date=date(2027, 1, 2), vendor_address=ADDRESS,
                                               terms=Ref(full_name="Net 30")),
                                       [EXPENSE], [ITEM_LINE], external_guid=GUID, request_id="b-1",
                                       macro=Macro("bill1")),
        ],
        "purchases.bill_mod": [
            lambda: purchases.bill_mod(TARGET, PURCHASE_HEADER, LinePlan.replace(CURRENT, [EXPENSE]),
                                       LinePlan.edit(("IL-1",)), request_id="bm-1"),
            lambda: purchases.bill_mod(TARGET, PURCHASE_HEADER, LinePlan.replace(CURRENT, []),
                                       LinePlan.replace(("IL-1",), [ITEM_LINE]), request_id="bm-2"),
        ],
        "purchases.vendor_credit_add": [lambda: purchases.vendor_credit_add(
            PURCHASE_HEADER, [EXPENSE], external_guid=GUID, request_id="vc-1")],
        "purchases.vendor_credit_mod": [lambda: purchases.vendor_credit_mod(
            TARGET, PURCHASE_HEADER, LinePlan.replace(CURRENT, [EXPENSE]), request_id="vcm-1")],
        "payments.receive_payment_add": [
            lambda: payments.receive_payment_add(payments.ReceivePayment(
                customer=CUSTOMER, total_amount=Decimal("85.00"), txn_date=date(2026, 12, 9), ref_number="PP-1",
                payment_method=Ref(full_name="BACS"), memo="Deposit", deposit_to_account=Ref(full_name="Bank"),
                applied=(payments.AppliedToTxn(TxnRef(macro=Macro("inv1")), Decimal("80.00"),
                                               (SetCredit(TxnRef(macro=Macro("cn1")), Decimal("5.00")),)),)),
                external_guid=GUID, request_id="rp-1"),
            lambda: payments.receive_payment_add(payments.ReceivePayment(
                customer=CUSTOMER, total_amount=Decimal("300.00"), txn_date=date(2026, 12, 4)),
                external_guid=GUID, request_id="rp-2"),
            lambda: payments.receive_payment_add(payments.ReceivePayment(
                customer=CUSTOMER, total_amount=Decimal("0.00"), applied=(payments.AppliedToTxn(
                    TxnRef("INV-TXN-1"), set_credits=(SetCredit(TxnRef("PAY-TXN-1"), Decimal("100.00")),),
                    discount_amount=Decimal("1.00"), discount_account=Ref(full_name="Discounts")),)),
                external_guid=GUID, request_id="rp-3"),
        ],
        "payments.receive_payment_mod": [lambda: payments.receive_payment_mod(TARGET, (
            payments.AppliedToTxn(TxnRef("INV-TXN-1"), Decimal("100.00")),
            payments.AppliedToTxn(TxnRef("INV-TXN-2"), Decimal("50.00"),
                                  (SetCredit(TxnRef("CM-TXN-1"), Decimal("5.00")),))), request_id="rpm-1")],
        "payments.bill_payment_check_add": [lambda: payments.bill_payment_check_add(payments.BillPayment(
            payee=VENDOR, bank_account=Ref(full_name="Bank"), applied=(payments.AppliedToTxn(
                TxnRef(macro=Macro("bill1")), Decimal("144.00")),), txn_date=date(2026, 12, 10), ref_number="BACS1"),
            external_guid=GUID, request_id="bp-1")],
        "txn_queries.txn_query": [
            lambda: txn_queries.txn_query("Invoice", request_id="q-1", selection=txn_queries.TxnFilter(
                max_returned=5, txn_date_from=date(2026, 1, 1), entity=CUSTOMER, account=Ref(full_name="AR"),
                ref_number_match=("StartsWith", "INV"), paid_status="NotPaidOnly"), include_line_items=True,
                include_linked_txns=True, include_ret=["TxnID"], owner_ids=[GUID]),
            lambda: txn_queries.txn_query("Bill", request_id="q-2", ref_numbers=["PO-7 SUP-881"]),
        ],
        "txn_queries.by_txn_ids": [lambda: txn_queries.by_txn_ids("CreditMemo", ["1A2B-1"], request_id="q-3"),
                                   lambda: txn_queries.by_txn_ids("BillPaymentCheck", ["1"], request_id="q-4")],
        "txn_queries.by_ref_number": [lambda: txn_queries.by_ref_number(
            "Bill", "PO-7 SUP-881", party=VENDOR, txn_date=date(2026, 12, 3), request_id="q-5")],
        "txn_queries.changed_since": [
            lambda: started,
            lambda: txn_queries.changed_since("Invoice", WHEN, request_id="q-6", page_size=100,
                                              until=WHEN + timedelta(hours=1)),
            lambda: txn_queries.changed_since("BillPaymentCreditCard", WHEN, request_id="q-7", page_size=100),
        ],
        "txn_queries.txn_deleted_query": [lambda: txn_queries.txn_deleted_query(
            ["ReceivePayment", "BillPaymentCheck"], request_id="d-1", deleted_from=WHEN)],
        "voids.txn_void": [lambda: voids.txn_void("Invoice", "1A2B-1", request_id="x-1")],
        "voids.txn_del": [lambda: voids.txn_del("ReceivePayment", "1A2B-2", request_id="x-2")],
        "voids.undo_request": [lambda: voids.undo_request("Bill", "1A2B-3", request_id="x-3")],
        "iterators.continue_query": [
            lambda: iterators.continue_query(started, "{eb05f701-e727-472f-8ade-6753c4f67a46}", "pay-2"),
            lambda: iterators.continue_query(customers, "{eb05f701-e727-472f-8ade-6753c4f67a46}", "c-3"),
        ],
        "iterators.stop_query": [lambda: iterators.stop_query(started, "{eb05f701-e727-472f-8ade-6753c4f67a46}",
                                                              "pay-3")],
        "hcp.host_query": [lambda: hcp.host_query(request_id="h-1")],
        "hcp.company_query": [lambda: hcp.company_query(request_id="h-2", owner_ids=[GUID])],
        "hcp.preferences_query": [lambda: hcp.preferences_query(request_id="h-3")],
    }


EXAMPLES = _examples()


def builders() -> list[str]:
    """Every function a qbxml module exports that returns an element: ``module.function``."""
    found = []
    for info in pkgutil.iter_modules(qbxml_package.__path__):
        module = importlib.import_module(f"{qbxml_package.__name__}.{info.name}")
        for name in getattr(module, "__all__", []):
            value = getattr(module, name)
            if (inspect.isfunction(value) and not name.startswith("parse")
                    and inspect.signature(value).return_annotation in ("Element", Element)):
                found.append(f"{info.name}.{name}")
    return sorted(found)


def all_examples() -> list[tuple[str, Callable[[], Element]]]:
    return [(f"{name}#{n}", make) for name, makes in sorted(EXAMPLES.items()) for n, make in enumerate(makes)]
