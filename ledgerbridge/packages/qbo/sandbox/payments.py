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
    if applied < 0:  # a credit is spent on an invoice or bill in the same payment, never on nothing
        raise errors.business("The credits applied are more than the amount applied to transactions.", "Line.Amount")
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
        extra: Record | None = None  # LineEx, for a line that pays one invoice
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
            if txn_type == "Invoice":
                extra = line_ex(txn_id, open_amount, target.get("DocNumber"))
        line: Record = {"Amount": amount, "LinkedTxn": out_links}
        if entity == "Payment" and len(out_links) == 1 and extra is not None:
            line["LineEx"] = extra
        lines.append(line)
    return lines, money(applied)


def line_ex(txn_id: str, open_balance: Decimal, doc_number: str | None) -> Record:
    """What QuickBooks adds to a customer payment's line that pays an invoice: name-value pairs in its JAXB form
    (Intuit's sample "Read a payment": ``txnId``, ``txnOpenBalance`` as the invoice stood before this line,
    ``txnReferenceNumber`` the invoice's number). Read-only: rebuilt whenever the payment is written."""
    pairs = [("txnId", txn_id), ("txnOpenBalance", f"{money(open_balance)}")]
    if doc_number:
        pairs.append(("txnReferenceNumber", doc_number))
    return {"any": [{"name": "{http://schema.intuit.com/finance/v3}NameValue", "nil": False,
                     "value": {"Name": name, "Value": value},
                     "declaredType": "com.intuit.schema.finance.v3.NameValue",
                     "scope": "javax.xml.bind.JAXBElement$GlobalScope", "globalScope": True,
                     "typeSubstituted": False} for name, value in pairs]}


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
    record ``just_saved`` by the caller is corrected in place instead, so one write is one version.

    When the write was an invoice, credit memo, bill or vendor credit, no payment changed, so only that record's
    balance and its party's can move: they alone are recomputed (a full pass per write made a 10,000-invoice
    upload quadratic). Payments, deletes and resets take the full pass."""
    if just_saved is not None and just_saved[0] in _PAYMENT_OF and company.party_parts is not None:
        _settle_one(company, *just_saved)
        return
    for payment_entity in ("Payment", "BillPayment"):
        applied: dict[tuple[str, str], Decimal] = {}
        links: dict[tuple[str, str], list[Record]] = {}
        for payment_id, allocated in allocations(company, payment_entity, None).items():
            kind = _link_kind(company, payment_entity, payment_id)
            for key, amount in allocated.items():
                applied[key] = applied.get(key, ZERO) + amount
                links.setdefault(key, []).append({"TxnId": payment_id, "TxnType": kind})
        for target_type in TARGETS[payment_entity]:
            for record in company.all(target_type):
                key = (target_type, record["Id"])
                if _apply_balance(record, target_type, applied.get(key, ZERO), links.get(key, [])) \
                        and key != just_saved:
                    company.save(target_type, record)
    _party_balances(company)


#: Invoice, credit memo, bill, vendor credit -> the payment entity that can link to it.
_PAYMENT_OF = {target: payment for payment, targets in TARGETS.items() for target in targets}
#: What each transaction adds to its party's Balance: (reference, sign, amount field).
_PARTY_SIDE = {"Invoice": ("CustomerRef", 1, "Balance"), "CreditMemo": ("CustomerRef", -1, "RemainingCredit"),
               "Payment": ("CustomerRef", -1, "UnappliedAmt"), "Bill": ("VendorRef", 1, "Balance"),
               "VendorCredit": ("VendorRef", -1, "Balance")}


def _link_kind(company: Company, payment_entity: str, payment_id: str) -> str:
    if payment_entity == "Payment":
        return "Payment"
    payment = company.get(payment_entity, payment_id) or {}
    return "BillPaymentCheck" if payment.get("PayType") == "Check" else "BillPaymentCreditCard"


def _apply_balance(record: Record, target_type: str, applied: Decimal, links: list[Record]) -> bool:
    """Set the open amount and LinkedTxn from what payments apply; True when either changed."""
    balance = money(Decimal(record["TotalAmt"]) - applied)
    field = "RemainingCredit" if target_type == "CreditMemo" else "Balance"
    if record.get(field) == balance and record.get("LinkedTxn", []) == links:
        return False
    record[field] = balance
    if target_type == "CreditMemo":
        record["Balance"] = balance
    record["LinkedTxn"] = links
    return True


def _settle_one(company: Company, entity: str, entity_id: str) -> None:
    """The just-saved transaction's balance and links (in place), then its party's balance (and a former
    party's, when the write moved it to another)."""
    record = company.get(entity, entity_id)
    if record is None:
        return
    payment_entity = _PAYMENT_OF[entity]
    applied, links = ZERO, []
    for payment_id, allocated in allocations(company, payment_entity, None).items():
        amount = allocated.get((entity, entity_id))
        if amount is not None:
            applied += amount
            links.append({"TxnId": payment_id, "TxnType": _link_kind(company, payment_entity, payment_id)})
    _apply_balance(record, entity, applied, links)
    assert company.party_parts is not None
    ref_key, sign, field = _PARTY_SIDE[entity]
    party = ref_id(record, ref_key) or ""
    before = company.party_parts.get((entity, entity_id))
    part = sign * Decimal(record.get(field, ZERO))
    company.party_parts[(entity, entity_id)] = (party, part)
    owed = company.party_owed
    if before is not None:
        owed[before[0]] = owed.get(before[0], ZERO) - before[1]
    owed[party] = owed.get(party, ZERO) + part
    party_entity = "Customer" if ref_key == "CustomerRef" else "Vendor"
    for party_id in {party, before[0] if before is not None else party}:
        _set_party_balance(company.get(party_entity, party_id), party_entity, owed.get(party_id, ZERO))


def _set_party_balance(record: Record | None, entity: str, owed: Decimal) -> None:
    if record is None:
        return
    record["Balance"] = money(owed)
    if entity == "Customer":
        record["BalanceWithJobs"] = record["Balance"]


def _party_balances(company: Company) -> None:
    """Customer.Balance = open invoices - unused credit memos - unapplied payments; Vendor.Balance = open
    bills - vendor credits. Updated in place: a balance change is not an edit of the name (assumed). Each
    transaction's share is kept, so that a later write to one transaction moves only its party's balance."""
    owed: dict[str, Decimal] = {}
    parts: dict[tuple[str, str], tuple[str, Decimal]] = {}
    for entity, (key, sign, field) in _PARTY_SIDE.items():
        for record in company.all(entity):
            party = ref_id(record, key) or ""
            part = sign * Decimal(record.get(field, ZERO))
            parts[(entity, record["Id"])] = (party, part)
            owed[party] = owed.get(party, ZERO) + part
    company.party_owed, company.party_parts = owed, parts
    for entity in ("Customer", "Vendor"):
        for record in company.all(entity):
            _set_party_balance(record, entity, owed.get(record["Id"], ZERO))
