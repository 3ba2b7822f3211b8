"""The accounting API (``/api.xro/2.0``): every route ledgerbridge uses, one router per family."""

from __future__ import annotations

from fastapi import APIRouter

from . import accounting_contacts, accounting_documents, accounting_payments, accounting_reference

API_PREFIX = "/api.xro/2.0"


def accounting_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    for family in (accounting_reference, accounting_contacts, accounting_documents, accounting_payments):
        router.include_router(family.router)
    return router
