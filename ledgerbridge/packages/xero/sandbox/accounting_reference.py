"""Reference data routes: Organisation, Accounts, TaxRates, Currencies (no paging in Xero for any of them)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .endpoint import query, tenant_books, xero_response
from .errors import NotFound
from .listing import apply_where_and_order, modified_since, parse_order, parse_where
from .views import account_view, organisation_view, tax_rate_view
from .wire import parse_modified_since

router = APIRouter()


@router.get("/Organisation")
async def get_organisation(request: Request) -> Response:
    with tenant_books(request) as books:
        return xero_response(request, Organisations=[organisation_view(books)])


@router.get("/Accounts")
async def get_accounts(request: Request) -> Response:
    since = parse_modified_since(request.headers.get("if-modified-since"))
    with tenant_books(request) as books:
        accounts = modified_since(books.accounts.values(), since, lambda a: a.updated)
        views = [account_view(a) for a in sorted(accounts, key=lambda a: a.code)]
    views = apply_where_and_order(views, parse_where(query(request, "where")), parse_order(query(request, "order")))
    return xero_response(request, Accounts=views)


@router.get("/Accounts/{account_id}")
async def get_account(request: Request, account_id: str) -> Response:
    with tenant_books(request) as books:
        account = books.accounts.get(account_id.lower())
        if account is None:
            raise NotFound()
        return xero_response(request, Accounts=[account_view(account)])


@router.get("/TaxRates")
async def get_tax_rates(request: Request) -> Response:
    with tenant_books(request) as books:
        views = [tax_rate_view(rate) for rate in books.tax_rates.values()]
    views = apply_where_and_order(views, parse_where(query(request, "where")), parse_order(query(request, "order")))
    return xero_response(request, TaxRates=views)


@router.get("/TaxRates/{tax_type}")
async def get_tax_rate(request: Request, tax_type: str) -> Response:
    with tenant_books(request) as books:
        rate = books.tax_rates.get(tax_type.upper())
        if rate is None:
            raise NotFound()
        return xero_response(request, TaxRates=[tax_rate_view(rate)])


@router.get("/Currencies")
async def get_currencies(request: Request) -> Response:
    with tenant_books(request) as books:
        views = [{"Code": code, "Description": name} for code, name in books.currency_names()]
    views = apply_where_and_order(views, parse_where(query(request, "where")), parse_order(query(request, "order")))
    return xero_response(request, Currencies=views)


