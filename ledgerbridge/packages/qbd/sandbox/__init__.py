"""A local QuickBooks Desktop: an in-memory company that runs qbXML as QuickBooks does, its books page and admin
API; the Web Connector simulator that drives it lives beside it (``docs/qbd.md``, "sandbox").

Drive the company as the Web Connector does::

    from ledgerbridge.packages.qbd.sandbox import CompanyConfig, QuickBooksCompany

    company = QuickBooksCompany(CompanyConfig(flavour="UK"))     # US (default), UK or CA
    company.begin_session("komet_sales")                        # the .qwc's AppName
    hcp = company.host_response()                                # strHCPResponse
    answer = company.process(request_qbxml)                      # or RequestProcessorError(hresult, message)
    company.end_session()

and serve its books page with ``start_qbd_sandbox(company)``. README.md lists what the sandbox assumes where
Intuit's documentation is silent.
"""

from __future__ import annotations

from .company import USER_APP, QuickBooksCompany
from .config import SUPPORTED_VERSIONS, CompanyConfig, Flavour, ManualClock
from .processor import QuickBooksLike, RequestProcessorError, hresult_text
from .schema import SchemaMissing
from .server import RunningSandbox, serve_qbd_sandbox, start_qbd_sandbox
from .user import QbdUser, QuickBooksRefused

__all__ = [
    "SUPPORTED_VERSIONS",
    "USER_APP",
    "CompanyConfig",
    "Flavour",
    "ManualClock",
    "QbdUser",
    "QuickBooksCompany",
    "QuickBooksLike",
    "QuickBooksRefused",
    "RequestProcessorError",
    "RunningSandbox",
    "SchemaMissing",
    "hresult_text",
    "serve_qbd_sandbox",
    "start_qbd_sandbox",
]
