"""QuickBooks Desktop's answers to the engine's types: the chart, documents as they stand, payments made there,
credits and their allocations, and each write's outcome.

How QuickBooks Desktop records money (Intuit's ReceivePayment and InvoiceQuery references; ``qbxml/rets.py``):
* an invoice's (or bill's) ``LinkedTxn`` lists what settled it, with negative amounts: payments
  (ReceivePayment, BillPaymentCheck, BillPaymentCreditCard) and credits (CreditMemo, VendorCredit). The settled
  amount (total less what is open) is split into cash and credit by those links; a credit counts at most what
  was settled (so a link QuickBooks reports through its payment is never counted twice);
* a payment's ``AppliedToTxnRet`` says the money it put on each invoice (``Amount``) and, as ``LinkedTxn`` under
  it, the credits spent there by ``SetCredit``; what it applied to nothing is ``UnusedPayment`` (a prepayment);
* one payment over several invoices is imported as parts (``TxnID:InvoiceTxnID``), with the unused amount as the
  part ``TxnID:unapplied``, as for QuickBooks Online; a payment that only spends credits moves no money and is
  not imported as a payment (R-I3: it is an allocation, :func:`credit_allocations`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal

from lxml import etree

from ledgerbridge.connectors.protocol import (
    ChartAccount,
    ChartSnapshot,
    ChartTaxRate,
    ExportOutcome,
    RemoteAllocation,
    RemoteCredit,
    RemoteDocument,
    RemotePayment,
)
from ledgerbridge.packages.qbd.qbxml.chart_rets import AccountRecord, CurrencyRecord, TaxCodeRecord, TaxItemRecord
from ledgerbridge.packages.qbd.qbxml.hcp import HostCompanyPreferences
from ledgerbridge.packages.qbd.qbxml.responses import RequestResult
from ledgerbridge.packages.qbd.qbxml.rets import (
    DeletedTxn,
    PaymentRecord,
    RefValue,
    TxnRecord,
    read_list,
    read_payment,
    read_txn_total,
)
from ledgerbridge.packages.qbd.qbxml.status import classify

__all__ = ["PART_SEPARATOR", "account_code", "chart_snapshot", "credit_allocations", "deleted_payment",
           "failed_outcome", "remote_credit", "remote_document", "remote_payments", "whole_payment_id",
           "write_outcome"]

ZERO = Decimal(0)
HOME_CURRENCY = {"US": "USD", "UK": "GBP", "CA": "CAD"}
SALES_ACCOUNTS = {"Income", "OtherIncome"}
PURCHASE_ACCOUNTS = {"Expense", "OtherExpense", "CostOfGoodsSold", "FixedAsset", "OtherCurrentAsset", "OtherAsset"}
BANK_ACCOUNTS = {"Bank"}
PAYMENT_LINKS = {"ReceivePayment", "BillPaymentCheck", "BillPaymentCreditCard"}
CREDIT_LINKS = {"CreditMemo", "VendorCredit"}
CREDIT_KINDS = {"CreditMemo", "VendorCredit"}
PART_SEPARATOR = ":"


# -- the chart -----------------------------------------------------------------------------------------------
def account_code(account: AccountRecord, uses_account_numbers: bool) -> str:
    """The code a mapping names: the account number where the company numbers its accounts, else the full name."""
    return account.account_number if uses_account_numbers and account.account_number else account.full_name


def _usable(account_type: str) -> tuple[str, ...]:
    return tuple(side for side, kinds in (("sales", SALES_ACCOUNTS), ("purchases", PURCHASE_ACCOUNTS),
                                          ("bank", BANK_ACCOUNTS)) if account_type in kinds)


def _item_rate(ref: RefValue | None, items: Mapping[str, TaxItemRecord]) -> Decimal | None:
    if ref is None:
        return None
    found = items.get(ref.list_id or "") or items.get((ref.full_name or "").lower())
    if found is None:
        return None
    if found.group_of:  # a tax group charges the sum of its items' rates
        return sum((_item_rate(member, items) or ZERO for member in found.group_of), ZERO)
    return found.rate or ZERO


def _tax_rate(code: TaxCodeRecord, items: Mapping[str, TaxItemRecord], country: str,
              us_default: Decimal | None) -> ChartTaxRate:
    if country == "US":  # the code only says taxable or not; the customer's tax item says the rate
        rate = (us_default or ZERO) if code.is_taxable else ZERO
        return ChartTaxRate(code.name, code.desc or code.name, rate, ("sales", "purchases"), code.is_active)
    # a side is usable when the code names a tax item for it; the rate is the sales item's, else the purchase's
    sides = tuple(side for side, ref in (("sales", code.sales_tax_item), ("purchases", code.purchase_tax_item))
                  if ref is not None)
    rates = [r for r in (_item_rate(code.sales_tax_item, items), _item_rate(code.purchase_tax_item, items))
             if r is not None]
    return ChartTaxRate(code.name, code.desc or code.name, rates[0] if rates else ZERO, sides, code.is_active)


def chart_snapshot(accounts: Iterable[AccountRecord], tax_codes: Iterable[TaxCodeRecord],
                   tax_items: Iterable[TaxItemRecord], currencies: Iterable[CurrencyRecord],
                   hcp: HostCompanyPreferences | None) -> ChartSnapshot:
    """The chart as the engine keeps it. Accounts are coded by number where the company numbers them; a UK or
    Canadian tax code's rate is its sales item's (else its purchase item's), usable on the sides that have one;
    a US code is usable on both sides, ``Tax`` at the default sales tax item's rate."""
    host = hcp.host if hcp else None
    preferences = hcp.preferences if hcp else None
    country = (host.country if host and host.country else "US").upper()
    numbers = bool(preferences and preferences.uses_account_numbers)
    chart_accounts = tuple(ChartAccount(account_code(a, numbers), a.list_id, a.full_name, a.account_type,
                                        _usable(a.account_type), a.is_active) for a in accounts)
    items: dict[str, TaxItemRecord] = {}
    for item in tax_items:
        items[item.list_id] = item
        items[item.name.lower()] = item
    us_default = _item_rate(preferences.default_item_sales_tax, items) if preferences else None
    rates = tuple(_tax_rate(code, items, country, us_default) for code in tax_codes)
    by_name = {c.name: c.code for c in currencies if c.code}
    home_ref = preferences.home_currency if preferences else None
    base = (by_name.get(home_ref.full_name or "") if home_ref else None) or HOME_CURRENCY.get(country, "USD")
    listed = [c.code for c in currencies if c.code and c.is_active and c.code != base]
    multi = bool(preferences and preferences.multi_currency)
    return ChartSnapshot(chart_accounts, rates, tuple([base, *(listed if multi else [])]), base)


# -- documents -----------------------------------------------------------------------------------------------
def remote_document(txn: TxnRecord, currency: str | None = None) -> RemoteDocument:
    """A transaction as it stands. ``currency``: its ISO code (the caller maps ``txn.currency``'s name; None in a
    single-currency company)."""
    if txn.voided:
        return RemoteDocument(txn.txn_id, txn.ref_number, ZERO, ZERO, "VOIDED", currency=currency,
                              updated_at=txn.time_modified)
    settled = txn.total - txn.open_amount
    status = "PAID" if txn.open_amount == 0 and txn.total else "OPEN"
    if txn.kind in CREDIT_KINDS:  # what a credit memo or vendor credit has spent is credit it gave
        return RemoteDocument(txn.txn_id, txn.ref_number, txn.total, txn.open_amount, status,
                              amount_credited=settled, currency=currency, updated_at=txn.time_modified)
    by_credit = -sum((link.amount for link in txn.linked if link.txn_type in CREDIT_LINKS), ZERO)
    credited = max(ZERO, min(by_credit, settled))
    return RemoteDocument(txn.txn_id, txn.ref_number, txn.total, txn.open_amount, status,
                          amount_paid=settled - credited, amount_credited=credited, currency=currency,
                          updated_at=txn.time_modified)


# -- payments ------------------------------------------------------------------------------------------------
def whole_payment_id(external_id: str) -> str:
    return external_id.split(PART_SEPARATOR, 1)[0]


def remote_payments(payment: PaymentRecord, *, currency: str,
                    account_code: Callable[[RefValue], str | None]) -> list[RemotePayment]:
    """A payment made in QuickBooks as the parts the importer stores (module docstring)."""
    direction = "in" if payment.kind == "ReceivePayment" else "out"
    paid_kind = "Invoice" if direction == "in" else "Bill"
    cash: list[tuple[str | None, Decimal, str | None]] = [
        (a.txn_id, a.amount, a.ref_number) for a in payment.applied if a.txn_type == paid_kind and a.amount > 0]
    if not cash:
        if not payment.amount:
            return []  # only credits spent: no money moved
        cash = [(None, payment.amount, None)]
    elif payment.unused_payment > 0:
        cash.append(("unapplied", payment.unused_payment, None))
    updated = payment.time_modified or datetime.now(UTC)
    party = payment.party
    bank = account_code(payment.account) if payment.account else None
    raw: dict[str, object] = {"TxnID": payment.txn_id, "EditSequence": payment.edit_sequence, "kind": payment.kind}
    out = []
    for txn_id, amount, number in cash:
        part = payment.txn_id if len(cash) == 1 else f"{payment.txn_id}{PART_SEPARATOR}{txn_id}"
        out.append(RemotePayment(
            external_id=part, payment_type=payment.kind, direction=direction,
            payment_date=payment.txn_date or updated.date(), amount=amount, currency=currency,
            reference=payment.ref_number, document_external_id=None if txn_id == "unapplied" else txn_id,
            document_number=number, party_external_id=party.list_id if party else None,
            party_name=party.full_name if party else None, bank_account_code=bank, deleted=False,
            updated_at=updated, raw=raw))
    return out


def deleted_payment(deleted: DeletedTxn) -> RemotePayment:
    """A payment deleted in QuickBooks (``TxnDeletedQuery``): the importer reverses what it imported of it."""
    when = deleted.time_deleted or datetime.now(UTC)
    return RemotePayment(deleted.txn_id, deleted.kind, "in" if deleted.kind == "ReceivePayment" else "out",
                         when.date(), ZERO, "", deleted.ref_number, None, None, None, None, None, True, when,
                         {"TxnID": deleted.txn_id, "kind": deleted.kind})


def credit_allocations(payment: PaymentRecord, kinds: Mapping[str, str] | None = None) -> list[RemoteAllocation]:
    """The credits a payment spent on invoices (its ``SetCredit``s, shown as LinkedTxn under each applied-to line).
    ``kinds``: credit TxnID -> source kind (``prepayment``/``overpayment``) for credits that are payments; a credit
    memo is a ``credit_note``."""
    out = []
    for applied in payment.applied:
        for link in applied.linked:
            kind = "credit_note" if link.txn_type in CREDIT_LINKS else (kinds or {}).get(link.txn_id, "prepayment")
            out.append(RemoteAllocation(kind, link.txn_id, applied.txn_id, abs(link.amount), payment.txn_date,
                                        f"{payment.txn_id}{PART_SEPARATOR}{applied.txn_id}{PART_SEPARATOR}"
                                        f"{link.txn_id}"))
    return out


def remote_credit(source: TxnRecord | PaymentRecord, allocations: Iterable[RemoteAllocation],
                  kind: str | None = None) -> RemoteCredit:
    """A credit memo, or a payment's unused amount (a prepayment), with the allocations that spent it (those of
    every payment that names it, found by the caller with :func:`credit_allocations`)."""
    spent = tuple(a for a in allocations if a.source_external_id == source.txn_id)
    if isinstance(source, TxnRecord):
        return RemoteCredit(source.txn_id, source.total, source.open_amount, "VOIDED" if source.voided else
                            "AUTHORISED", spent, kind or "credit_note", source.time_modified)
    own = tuple(RemoteAllocation(kind or "prepayment", source.txn_id, a.txn_id, a.amount, source.txn_date,
                                 f"{source.txn_id}{PART_SEPARATOR}{a.txn_id}")
                for a in source.applied if a.amount > 0)
    return RemoteCredit(source.txn_id, source.amount, source.unused_payment, "AUTHORISED", own + spent,
                        kind or "prepayment", source.time_modified)


# -- outcomes ------------------------------------------------------------------------------------------------
def failed_outcome(sync_record_id: int, result: RequestResult) -> ExportOutcome:
    """A refused write as the engine records it: QuickBooks' message verbatim with its code, the table's hint and
    failure type (``qbxml.status``), and the answer's text."""
    verdict = classify(result.status_code, result.severity, result.message)
    return ExportOutcome(sync_record_id, False, message=verdict.text(), hint=verdict.hint,
                         failure_type=verdict.failure_type or "data",
                         raw_response=etree.tostring(result.element, encoding="unicode"))


_DOCUMENT_RETS = {"InvoiceRet", "CreditMemoRet", "BillRet", "VendorCreditRet"}
_PAYMENT_RETS = {"ReceivePaymentRet", "BillPaymentCheckRet", "BillPaymentCreditCardRet"}


def write_outcome(sync_record_id: int, result: RequestResult) -> ExportOutcome:
    """The outcome of an Add, Mod, void or delete: on success the id QuickBooks gave (TxnID or ListID), the
    document's number and total or the name's name; when answered from error recovery, the ids it recorded;
    otherwise :func:`failed_outcome`. A warning's message is kept as the outcome's note."""
    verdict = classify(result.status_code, result.severity, result.message)
    if not verdict.ok:
        return failed_outcome(sync_record_id, result)
    note = verdict.text() if result.severity == "Warn" else None
    if result.rets:
        ret = result.rets[0]
        if ret.tag in _DOCUMENT_RETS:
            written, number, total = read_txn_total(ret)  # all it needs: not the header's twenty other fields
            return ExportOutcome(sync_record_id, True, external_id=written, external_number=number, total=total,
                                 message=note)
        if ret.tag in _PAYMENT_RETS:
            payment = read_payment(ret)
            return ExportOutcome(sync_record_id, True, external_id=payment.txn_id,
                                 external_number=payment.ref_number, total=payment.amount, message=note)
        record = read_list(ret)
        return ExportOutcome(sync_record_id, True, external_id=record.list_id, external_name=record.name,
                             message=note)
    recovered = result.error_recovery
    if recovered is not None and (recovered.txn_id or recovered.list_id):
        return ExportOutcome(sync_record_id, True, external_id=recovered.txn_id or recovered.list_id, message=note)
    txn_id = result.element.findtext("TxnID")  # a void's or delete's answer
    if txn_id:
        return ExportOutcome(sync_record_id, True, external_id=txn_id, external_number=result.element.findtext(
            "RefNumber"), message=note)
    return ExportOutcome(sync_record_id, False, failure_type="system", message=(
        f"QuickBooks answered {result.name} without the record it wrote ({verdict.text()})"))
