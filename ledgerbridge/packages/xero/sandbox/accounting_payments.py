"""Payment routes, and bank transactions with the prepayments and overpayments they create."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .accounting_documents import allocation_batch, unallocation
from .banking import create_bank_transaction
from .batch import BANK_TRANSACTIONS, PAYMENTS, Outcome
from .books import TenantBooks
from .echoes import bank_transaction_echo, payment_echo
from .endpoint import list_response, tenant_books, unit_dp, write_batch, xero_response
from .errors import NotFound
from .inputs import BankTransactionInput, PaymentInput, read_bank_transaction, read_payment
from .records import CreditKind, Payment
from .settlements import create_payment, delete_payment
from .views import bank_transaction_view, credit_view, payment_view

router = APIRouter()


# --------------------------------------------------------------------------------------------- payments


@router.get("/Payments")
async def get_payments(request: Request) -> Response:
    with tenant_books(request) as books:
        payments = list(books.payments.values())
        return list_response(request, "Payments", payments, lambda p, _lines: payment_view(books, p),
                             lambda p: p.updated)


def _find_payment(books: TenantBooks, payment_id: str) -> Payment:
    payment = books.payments.get(payment_id.lower())
    if payment is None:
        raise NotFound()
    return payment


@router.get("/Payments/{PaymentID}")
async def get_payment(request: Request, PaymentID: str) -> Response:  # noqa: N803 - spec name
    with tenant_books(request) as books:
        return xero_response(request, Payments=[payment_view(books, _find_payment(books, PaymentID))])


def _pay(books: TenantBooks, given: PaymentInput) -> Outcome:
    payment, errors = create_payment(books, given)
    if payment is None:
        return Outcome(payment_echo(given), errors)
    return Outcome(payment_view(books, payment), [])


@router.put("/Payments")
async def create_payments(request: Request) -> Response:
    return await write_batch(request, PAYMENTS, read_payment, _pay)


@router.post("/Payments")
async def create_single_payment(request: Request) -> Response:
    """``createPayment``: the spec types the body as one Payment; its example wraps it in ``Payments``."""
    return await write_batch(request, PAYMENTS, read_payment, _pay, single_allowed=True, summarize=True)


@router.post("/Payments/{PaymentID}")
async def delete_single_payment(request: Request, PaymentID: str) -> Response:  # noqa: N803 - spec name
    """``deletePayment``: Xero payments cannot be edited, only deleted with ``{"Status": "DELETED"}``."""

    def apply(books: TenantBooks, given: PaymentInput) -> Outcome:
        payment, errors = delete_payment(books, _find_payment(books, PaymentID), given.status)
        if payment is None:  # the submitted element is a PaymentDelete: its Status is all there is to echo
            return Outcome({"Status": given.status} if given.status is not None else {}, errors)
        return Outcome(payment_view(books, payment), [])

    return await write_batch(request, PAYMENTS, read_payment, apply, single_allowed=True, summarize=True)


# ------------------------------------------------------------------------------------ bank transactions


@router.get("/BankTransactions")
async def get_bank_transactions(request: Request) -> Response:
    dp = unit_dp(request)
    with tenant_books(request) as books:
        transactions = list(books.bank_transactions.values())
        return list_response(request, "BankTransactions", transactions,
                             lambda t, _lines: bank_transaction_view(books, t, dp), lambda t: t.updated)


@router.get("/BankTransactions/{BankTransactionID}")
async def get_bank_transaction(request: Request, BankTransactionID: str) -> Response:  # noqa: N803
    with tenant_books(request) as books:
        tx = books.bank_transactions.get(BankTransactionID.lower())
        if tx is None:
            raise NotFound()
        return xero_response(request, BankTransactions=[bank_transaction_view(books, tx, unit_dp(request))])


async def _create_bank_transactions(request: Request) -> Response:
    dp = unit_dp(request)

    def apply(books: TenantBooks, given: BankTransactionInput) -> Outcome:
        tx, errors = create_bank_transaction(books, given, dp)
        if tx is None:
            return Outcome(bank_transaction_echo(given, books.enabled_currencies), errors)
        return Outcome(bank_transaction_view(books, tx, dp), [])

    return await write_batch(request, BANK_TRANSACTIONS, read_bank_transaction, apply)


@router.put("/BankTransactions")
async def create_bank_transactions(request: Request) -> Response:
    return await _create_bank_transactions(request)


@router.post("/BankTransactions")
async def update_or_create_bank_transactions(request: Request) -> Response:
    """The sandbox only creates bank transactions; ledgerbridge never edits them."""
    return await _create_bank_transactions(request)


# ------------------------------------------------------------------------------ prepayments, overpayments


def _register_credit(kind: CreditKind, collection: str, id_name: str) -> None:
    @router.get(f"/{collection}", name=f"get{collection}")
    async def get_many(request: Request) -> Response:
        dp = unit_dp(request)
        with tenant_books(request) as books:
            credits = [c for c in books.credits.values() if c.kind == kind]
            return list_response(request, collection, credits,
                                 lambda c, lines: credit_view(books, c, lines=lines, unit_dp=dp),
                                 lambda c: c.updated)

    @router.get(f"/{collection}/{{{id_name}}}", name=f"get{collection}One")
    async def get_one(request: Request) -> Response:
        with tenant_books(request) as books:
            credit = books.credits.get(request.path_params[id_name].lower())
            if credit is None or credit.kind != kind:
                raise NotFound()
            return xero_response(request, **{collection: [credit_view(books, credit, unit_dp=unit_dp(request))]})

    @router.put(f"/{collection}/{{{id_name}}}/Allocations", name=f"create{collection}Allocations")
    async def allocate(request: Request) -> Response:
        return await allocation_batch(request, kind, request.path_params[id_name])

    @router.delete(f"/{collection}/{{{id_name}}}/Allocations/{{AllocationID}}", name=f"delete{collection}Allocations")
    async def unallocate(request: Request) -> Response:
        return unallocation(request, kind, request.path_params[id_name], request.path_params["AllocationID"])


_register_credit("prepayment", "Prepayments", "PrepaymentID")
_register_credit("overpayment", "Overpayments", "OverpaymentID")
