"""What a MYOB user does by hand in the books (admin API under ``/sandbox/businesses/{businessId}``).

Add a card, receive a payment, pay a bill, apply a credit, delete a payment, add a line, reverse a sale: the demo's
bookkeeper and the tests' drift in the books. These go through the same writers as the API (so MYOB's rules hold),
but not through the gateway: a person in MYOB's screens spends none of the app's API-key budget and needs no token.

Bodies use ledgerbridge's plain names (``{"amount": "110.00", "allocations": [{"document_id": UID, "amount":
"110.00"}], "date": "2026-11-03", "reference": "paid in MYOB"}``; ``"bill": true`` for a supplier payment).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from . import errors, writes
from .routes import RESOURCES
from .runtime import SandboxRuntime
from .seed import account_uid, tax_code_uid
from .store import Business, Record
from .wire import dumps, loads

router = APIRouter(prefix="/businesses/{business_id}")
BANK = "1-1110"


def _business(request: Request, business_id: str) -> Business:
    runtime: SandboxRuntime = request.app.state.runtime
    business = runtime.store.business(business_id)
    if business is None:
        raise errors.business_missing(business_id)
    return business


async def _json(request: Request) -> dict[str, Any]:
    payload = loads(await request.body() or b"{}")
    if not isinstance(payload, dict):
        raise errors.serialization("expected a JSON object")
    return payload


def _answer(call: Any) -> Response:
    try:
        result = call()
    except errors.MyobError as error:
        return Response(dumps(error.body()), status_code=error.status, media_type="application/json")
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        return JSONResponse({"error": f"bad request: {exc}"}, status_code=400)
    return Response(dumps(result), status_code=201 if result else 200, media_type="application/json")


def record_payment(business: Business, payload: dict[str, Any]) -> Record:
    """A customer payment (or, with ``"bill": true``, a supplier payment) into the business's bank account."""
    bill = bool(payload.get("bill"))
    allocations = payload.get("allocations") or []
    kind = "Bill" if bill else "Invoice"
    documents = [business.get(kind, str(a["document_id"])) for a in allocations]
    if not documents or any(d is None for d in documents):
        raise errors.not_found_ref("allocations.document_id", ",".join(str(a.get("document_id")) for a in allocations))
    party = documents[0]["Supplier" if bill else "Customer"]  # type: ignore[index]
    account = {"UID": account_uid(business.seed, str(payload.get("account") or BANK))}
    date = str(payload.get("date") or "2026-11-03")
    amount = Decimal(str(payload["amount"]))
    if bill:
        body: Record = {"PayFrom": "Account", "Account": account, "Supplier": {"UID": party["UID"]}, "Date": date,
                        "Memo": payload.get("reference"), "Lines": [
                            {"Type": "Bill", "Purchase": {"UID": a["document_id"]},
                             "AmountApplied": Decimal(str(a["amount"]))} for a in allocations]}
        return writes.create(business, RESOURCES["Purchase/SupplierPayment"], body)
    body = {"DepositTo": "Account", "Account": account, "Customer": {"UID": party["UID"]}, "Date": date,
            "AmountReceived": amount, "Memo": payload.get("reference"), "Invoices": [
                {"UID": a["document_id"], "AmountApplied": Decimal(str(a["amount"])), "Type": "Invoice"}
                for a in allocations]}
    return writes.create(business, RESOURCES["Sale/CustomerPayment"], body)


def credit_sale(business: Business, customer_uid: str, amount: Decimal, memo: str, date: str) -> Record:
    """A customer credit: a sale with a negative line (MYOB has no credit-note resource), not taxed."""
    tax = tax_code_uid(business.seed, "N-T")
    body: Record = {"Customer": {"UID": customer_uid}, "Date": date, "IsTaxInclusive": True, "JournalMemo": memo,
                    "Lines": [{"Type": "Transaction", "Description": memo, "Total": -amount,
                               "Account": {"UID": account_uid(business.seed, "4-1000")}, "TaxCode": {"UID": tax}}]}
    return writes.create(business, RESOURCES["Sale/Invoice/Service"], body)


def settle(business: Business, credit_uid: str, document_uid: str, amount: Decimal, date: str) -> Record:
    credit = business.get("Invoice", credit_uid) or business.get("Bill", credit_uid)
    if credit is None:
        raise errors.not_found_ref("credit_id", credit_uid)
    if "Customer" in credit:
        return writes.create(business, RESOURCES["Sale/CreditSettlement"], {
            "CreditFromInvoice": {"UID": credit_uid}, "Customer": {"UID": credit["Customer"]["UID"]}, "Date": date,
            "CreditAmount": amount, "Lines": [{"Type": "Invoice", "Sale": {"UID": document_uid},
                                               "AmountApplied": amount}]})
    return writes.create(business, RESOURCES["Purchase/DebitSettlement"], {
        "DebitFromBill": {"UID": credit_uid}, "Supplier": {"UID": credit["Supplier"]["UID"]}, "Date": date,
        "DebitAmount": amount, "Lines": [{"Type": "Bill", "Purchase": {"UID": document_uid},
                                          "AmountApplied": amount}]})


def add_card(business: Business, payload: dict[str, Any]) -> Record:
    """A customer card (``"supplier": true``: a supplier card) made in MYOB's Card File, with the file's GST code."""
    supplier = bool(payload.get("supplier"))
    tax = {"UID": tax_code_uid(business.seed, str(payload.get("tax_code") or "GST"))}
    body: Record = {"CompanyName": str(payload["name"]), "IsIndividual": False, "IsActive": True,
                    "BuyingDetails" if supplier else "SellingDetails": {"TaxCode": tax, "FreightTaxCode": tax}}
    if payload.get("display_id"):
        body["DisplayID"] = str(payload["display_id"])
    return writes.create(business, RESOURCES["Contact/Supplier" if supplier else "Contact/Customer"], body)


@router.post("/contacts")
async def contacts(request: Request, business_id: str) -> Response:
    """``{"name": "Quarry Lane Plumbing", "display_id": "C101"}``: a card made by hand (the books a business
    already keeps before it connects)."""
    business, payload = _business(request, business_id), await _json(request)
    return _answer(lambda: add_card(business, payload))


@router.post("/payments")
async def payments(request: Request, business_id: str) -> Response:
    business, payload = _business(request, business_id), await _json(request)
    return _answer(lambda: record_payment(business, payload))


@router.delete("/payments/{uid}")
async def delete_payment(request: Request, business_id: str, uid: str) -> Response:
    business = _business(request, business_id)

    def run() -> dict[str, Any]:
        for route in ("Sale/CustomerPayment", "Purchase/SupplierPayment"):
            record = business.get(RESOURCES[route].kind, uid)
            if record is not None:
                writes.delete(business, RESOURCES[route], record)
                return {}
        raise errors.record_missing("payments", uid)
    return _answer(run)


@router.post("/credits")
async def credits(request: Request, business_id: str) -> Response:
    """``{"customer_id": UID, "amount": "20.00", "memo": "Overpayment"}``: a customer credit (negative sale)."""
    business, payload = _business(request, business_id), await _json(request)
    return _answer(lambda: credit_sale(business, str(payload["customer_id"]), Decimal(str(payload["amount"])),
                                       str(payload.get("memo") or "Customer credit"),
                                       str(payload.get("date") or "2026-11-03")))


@router.post("/settlements")
async def settlements(request: Request, business_id: str) -> Response:
    """``{"credit_id": UID, "document_id": UID, "amount": "20.00"}``: apply a credit (or debit) to a document."""
    business, payload = _business(request, business_id), await _json(request)
    return _answer(lambda: settle(business, str(payload["credit_id"]), str(payload["document_id"]),
                                  Decimal(str(payload["amount"])), str(payload.get("date") or "2026-11-03")))


@router.post("/documents/{uid}/lines")
async def add_line(request: Request, business_id: str, uid: str) -> Response:
    """``{"net": "25.00"}``: edit an invoice or bill in MYOB, one more line like its first (MYOB adds the tax)."""
    business, payload = _business(request, business_id), await _json(request)

    def run() -> Record:
        kind = "Invoice" if business.get("Invoice", uid) else "Bill"
        document = business.get(kind, uid)
        if document is None:
            raise errors.record_missing("documents", uid)
        lines = [dict(line) for line in document["Lines"]]
        first = next(line for line in lines if line["Type"] == "Transaction")
        lines.append({"Type": "Transaction", "Description": "Added in MYOB", "Total": Decimal(str(payload["net"])),
                      "Account": {"UID": first["Account"]["UID"]}, "TaxCode": first["TaxCode"]})
        route = "Sale/Invoice/Service" if kind == "Invoice" else "Purchase/Bill/Service"
        body = {**{k: v for k, v in document.items() if k not in ("Lines",)}, "Lines": lines}
        body.pop("URI", None)
        return writes.update(business, RESOURCES[route], document, body)
    return _answer(run)


@router.post("/documents/{uid}/reverse")
async def reverse(request: Request, business_id: str, uid: str) -> Response:
    """AccountRight's "Reverse Sale": a credit for the open balance, settled against the invoice (Closed)."""
    business, payload = _business(request, business_id), await _json(request)

    def run() -> Record:
        invoice = business.get("Invoice", uid)
        if invoice is None:
            raise errors.record_missing("documents", uid)
        balance = Decimal(invoice["BalanceDueAmount"])
        date = str(payload.get("date") or invoice["Date"])
        memo = f"Reversal of {invoice['Number']}"
        lines = [{"Type": "Transaction", "Description": memo, "Total": -Decimal(line["Total"]),
                  "Account": {"UID": line["Account"]["UID"]}, "TaxCode": line.get("TaxCode")}
                 for line in invoice["Lines"] if line["Type"] == "Transaction"]
        credit = writes.create(business, RESOURCES["Sale/Invoice/Service"], {
            "Customer": {"UID": invoice["Customer"]["UID"]}, "Date": date, "JournalMemo": memo,
            "IsTaxInclusive": invoice["IsTaxInclusive"], "Lines": lines, "Freight": -Decimal(invoice["Freight"]),
            "FreightTaxCode": invoice.get("FreightTaxCode")})
        if balance > 0:
            settle(business, credit["UID"], uid, balance, date)
        return credit
    return _answer(run)
