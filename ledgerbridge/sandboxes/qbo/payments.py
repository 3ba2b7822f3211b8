"""Customer payments and bill payments: allocations through ``Line[].LinkedTxn``, unapplied amounts, and the
balances they drive (``Invoice.Balance``, ``Bill.Balance``, ``CreditMemo.RemainingCredit``,
``Customer.Balance``, ``Vendor.Balance``), recomputed from the payments after every write so they cannot drift.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import errors
from .common import number, ref_id, ref_to, resolve, text
from .seed import UNDEPOSITED_FUNDS
from .store import Company, Record
from .wire import money, qbo_time, utcnow

ZERO = Decimal("0.00")
#: What each payment entity may link to, and which side of the allocation each target is on (+1 owed, -1 credit).
TARGETS = {"Payment": {"Invoice": 1, "CreditMemo": -1}, "BillPayment": {"Bill": 1, "VendorCredit": -1}}
_HEADER = {"Payment": ("TxnDate", "PaymentRefNum", "PrivateNote", "ExchangeRate"),
           "BillPayment": ("TxnDate", "DocNumber", "PrivateNote", "ExchangeRate")}


def build_payment(company: Company, entity: str, body: dict[str, Any], record_id: str) -> Record:
    """Validate allocations against open balances (this payment's own previous allocation counts as open)."""
    party_key, party_entity = ("CustomerRef", "Customer") if entity == "Payment" else ("VendorRef", "Vendor")
    party_id = ref_id(body, party_key)
    if party_id is None:
        raise errors.required(party_key)
    party = resolve(company, party_entity, party_id, party_key)
    total = number(body, "TotalAmt")
    if total is None:
        raise errors.required("TotalAmt")
    total = money(total)
    if total < 0:
        raise errors.business("The payment amount cannot be negative.", "TotalAmt")
    record: Record = {"Id": record_id, party_key: ref_to(party_entity, party)}
    for key in _HEADER[entity]:
        if body.get(key) not in (None, ""):
            record[key] = body[key]
    record.setdefault("TxnDate", _today(company))
    record["CurrencyRef"] = {"value": company.seed.currency}
    own = allocations(company, entity, exclude=None).get(record_id, {})
    lines, applied = _allocations(company, entity, body, party_id, own)
    if applied > total:
        raise errors.business("The amount applied to transactions is more than the amount received.", "TotalAmt")
    record["Line"] = lines
    record["TotalAmt"] = total
    if entity == "Payment":
        record["UnappliedAmt"] = money(total - applied)
        deposit = ref_id(body, "DepositToAccountRef") or UNDEPOSITED_FUNDS
        record["DepositToAccountRef"] = ref_to("Account", resolve(company, "Account", deposit,
                                                                  "DepositToAccountRef"))
        method = ref_id(body, "PaymentMethodRef")
        if method:
            record["PaymentMethodRef"] = ref_to("PaymentMethod", resolve(company, "PaymentMethod", method,
                                                                         "PaymentMethodRef"))
        record["ProcessPayment"] = False
    else:
        _pay_type(company, body, record)
    return record


def _today(company: Company) -> str:
    return qbo_time(utcnow(), company.offset_hours)[:10]


def _pay_type(company: Company, body: dict[str, Any], record: Record) -> None:
    pay_type = text(body, "PayType")
    if pay_type is None:
        raise errors.required("PayType")
    if pay_type not in ("Check", "CreditCard"):
        raise errors.invalid_enum("PayType", pay_type)
    block, key = ("CheckPayment", "BankAccountRef") if pay_type == "Check" else ("CreditCardPayment",
                                                                                "CCAccountRef")
    account_id = ref_id(body.get(block) or {}, key)
    if account_id is None:
        raise errors.required(f"{block}.{key}")
    record["PayType"] = pay_type
    record[block] = {key: ref_to("Account", resolve(company, "Account", account_id, key))}
    if pay_type == "Check":
        record[block]["PrintStatus"] = (body.get(block) or {}).get("PrintStatus") or "NotSet"


def _allocations(company: Company, entity: str, body: dict[str, Any], party_id: str,
                 own: dict[tuple[str, str], Decimal]) -> tuple[list[Record], Decimal]:
    party_key = "CustomerRef" if entity == "Payment" else "VendorRef"
    lines: list[Record] = []
    applied = ZERO
    taken: dict[tuple[str, str], Decimal] = {}
    for given in body.get("Line") or []:
        linked = given.get("LinkedTxn") or []
        if not linked:
            raise errors.required("Line.LinkedTxn")
        amount = number(given, "Amount", "Line.Amount")
        if amount is None:
            raise errors.required("Line.Amount")
        amount = money(amount)
        out_links = []
        for link in linked:
            txn_id, txn_type = str(link.get("TxnId") or ""), str(link.get("TxnType") or "")
            if not txn_id:
                raise errors.required("LinkedTxn.TxnId")
            sign = TARGETS[entity].get(txn_type)
            if sign is None:
                raise errors.invalid_enum("LinkedTxn.TxnType", txn_type)
            target = resolve(company, txn_type, txn_id, "LinkedTxn.TxnId")
            if ref_id(target, party_key) != party_id:
                raise errors.business(f"{txn_type} {txn_id} belongs to another {party_key[:-3].lower()}.",
                                      "LinkedTxn")
            key = (txn_type, txn_id)
            open_amount = _open(target, txn_type) + own.get(key, ZERO) - taken.get(key, ZERO)
            if amount > open_amount:
                raise errors.business(f"The amount applied to {txn_type} {target.get('DocNumber', txn_id)} "
                                      f"({amount}) is more than its open balance ({money(open_amount)}).",
                                      "Line.Amount")
            taken[key] = taken.get(key, ZERO) + amount
            applied += amount * sign
            out_links.append({"TxnId": txn_id, "TxnType": txn_type})
        lines.append({"Amount": amount, "LinkedTxn": out_links})
    return lines, money(applied)


def _open(target: Record, txn_type: str) -> Decimal:
    return Decimal(target.get("RemainingCredit" if txn_type == "CreditMemo" else "Balance", ZERO))


def allocations(company: Company, entity: str, exclude: str | None) -> dict[str, dict[tuple[str, str], Decimal]]:
    """Payment Id -> {(TxnType, TxnId): amount} for every stored payment of that entity."""
    out: dict[str, dict[tuple[str, str], Decimal]] = {}
    for payment in company.all(entity):
        if payment["Id"] == exclude:
            continue
        for line in payment.get("Line", []):
            for link in line.get("LinkedTxn", []):
                key = (link["TxnType"], link["TxnId"])
                mine = out.setdefault(payment["Id"], {})
                mine[key] = mine.get(key, ZERO) + Decimal(line["Amount"])
    return out


def applied_to(company: Company, txn_type: str, txn_id: str) -> Decimal:
    """What payments currently allocate to one invoice, credit memo, bill or vendor credit."""
    payment_entity = "Payment" if txn_type in TARGETS["Payment"] else "BillPayment"
    return sum((amounts.get((txn_type, txn_id), ZERO)
                for amounts in allocations(company, payment_entity, None).values()), ZERO)


def settle(company: Company, just_saved: tuple[str, str] | None = None) -> None:
    """Recompute every open balance and LinkedTxn from the payments. A transaction whose balance or links change
    gets a new version (SyncToken +1, LastUpdatedTime), as a payment edits the invoice in QBO (assumed); the
    record ``just_saved`` by the caller is corrected in place instead, so one write is one version."""
    for payment_entity, link_type in (("Payment", "Payment"), ("BillPayment", None)):
        applied: dict[tuple[str, str], Decimal] = {}
        links: dict[tuple[str, str], list[Record]] = {}
        for payment_id, allocated in allocations(company, payment_entity, None).items():
            payment = company.get(payment_entity, payment_id) or {}
            kind = link_type or ("BillPaymentCheck" if payment.get("PayType") == "Check"
                                 else "BillPaymentCreditCard")
            for key, amount in allocated.items():
                applied[key] = applied.get(key, ZERO) + amount
                links.setdefault(key, []).append({"TxnId": payment_id, "TxnType": kind})
        for target_type in TARGETS[payment_entity]:
            for record in company.all(target_type):
                key = (target_type, record["Id"])
                balance = money(Decimal(record["TotalAmt"]) - applied.get(key, ZERO))
                field = "RemainingCredit" if target_type == "CreditMemo" else "Balance"
                new_links = links.get(key, [])
                if record.get(field) != balance or record.get("LinkedTxn", []) != new_links:
                    record[field] = balance
                    if target_type == "CreditMemo":
                        record["Balance"] = balance
                    record["LinkedTxn"] = new_links
                    if key != just_saved:
                        company.save(target_type, record)
    _party_balances(company)


def _party_balances(company: Company) -> None:
    """Customer.Balance = open invoices - unused credit memos - unapplied payments; Vendor.Balance = open
    bills - vendor credits. Updated in place: a balance change is not an edit of the name (assumed)."""
    owed: dict[str, Decimal] = {}
    for entity, key, sign, field in (("Invoice", "CustomerRef", 1, "Balance"),
                                     ("CreditMemo", "CustomerRef", -1, "RemainingCredit"),
                                     ("Payment", "CustomerRef", -1, "UnappliedAmt"),
                                     ("Bill", "VendorRef", 1, "Balance"),
                                     ("VendorCredit", "VendorRef", -1, "Balance")):
        for record in company.all(entity):
            party = ref_id(record, key) or ""
            owed[party] = owed.get(party, ZERO) + sign * Decimal(record.get(field, ZERO))
    for entity in ("Customer", "Vendor"):
        for record in company.all(entity):
            record["Balance"] = money(owed.get(record["Id"], ZERO))
            if entity == "Customer":
                record["BalanceWithJobs"] = record["Balance"]
