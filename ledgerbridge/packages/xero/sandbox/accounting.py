"""The accounting API (``/api.xro/2.0``): every route ledgerbridge uses, one router per family."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute

from . import accounting_contacts, accounting_documents, accounting_payments, accounting_reference, identity
from .config import API_PREFIX

_FAMILIES = (accounting_reference, accounting_contacts, accounting_documents, accounting_payments)


def accounting_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    for family in _FAMILIES:
        router.include_router(family.router)
    return router


def route_templates() -> list[str]:
    """Every API path template (accounting and identity), fixed paths first, for counting calls by route."""
    paths = [API_PREFIX + route.path for family in _FAMILIES for route in family.router.routes
             if isinstance(route, APIRoute)]
    paths += [route.path for route in identity.router.routes if isinstance(route, APIRoute)]
    unique = list(dict.fromkeys(paths))
    return sorted(unique, key=lambda path: ("{" in path, path))
