"""An independent client against the sandbox: xero-python (Xero's official SDK, PyPI ``xero-python`` 15.2).

Pointed at the sandbox the way the SDK is configured: each API object takes a ``base_url`` (``AccountingApi``,
``IdentityApi``), the token refresh URL is the ``TokenApi`` class attribute, and the token starts as one the sandbox
issued (its admin route: the SDK has no authorisation-code flow, an app does the browser step itself).

What it proves: a client generated from Xero's OpenAPI specs, not by us, refreshes its token at the identity
endpoint, lists connections, reads the organisation, creates a contact and an invoice, reads the invoice back by ID
and by ``where``/``IDs``, and surfaces a validation error as its own exception carrying the sandbox's message.
"""

from __future__ import annotations

import datetime
import time
from decimal import Decimal
from typing import Any, NamedTuple

import httpx
import pytest
from xero_python.accounting import AccountingApi, Contact, Contacts, Invoice, Invoices, LineItem
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.exceptions import AccountingBadRequestException
from xero_python.identity import IdentityApi

from ledgerbridge.packages.xero.sandbox import RunningSandbox

from .conftest import TENANT, issue_token


class Sdk(NamedTuple):
    client: ApiClient
    token: dict[str, Any]  # where the SDK's token getter reads and its saver writes (an app's token store)


@pytest.fixture
def sdk(sandbox: RunningSandbox, admin: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> Sdk:
    """The SDK's ApiClient holding a sandbox token that has already expired, so the first call refreshes it."""
    monkeypatch.setattr(TokenApi, "refresh_token_url", f"{sandbox.identity_url}/connect/token")
    issued = issue_token(sandbox)
    stored: dict[str, Any] = {
        "access_token": issued["access_token"], "refresh_token": issued["refresh_token"],
        "scope": issued["scope"].split(), "token_type": issued["token_type"], "expires_in": issued["expires_in"],
        "expires_at": time.time() - 1,  # expired: the SDK must refresh it through the sandbox's token endpoint
    }
    client = ApiClient(Configuration(oauth2_token=OAuth2Token(client_id=sandbox.config.client_id,
                                                              client_secret=sandbox.config.client_secret)),
                       pool_threads=1)
    client.oauth2_token_getter(lambda: stored)
    client.oauth2_token_saver(stored.update)
    return Sdk(client, stored)


def test_xero_python_refreshes_lists_creates_and_reads_back(sdk: Sdk, sandbox: RunningSandbox) -> None:
    first_access, first_refresh = sdk.token["access_token"], sdk.token["refresh_token"]
    connections = IdentityApi(sdk.client, base_url=sandbox.base_url).get_connections()
    assert sdk.token["access_token"] != first_access  # refreshed through the sandbox's /connect/token
    assert sdk.token["refresh_token"] != first_refresh and sdk.token["expires_at"] > time.time()
    assert TENANT in {c.tenant_id for c in connections}

    accounting = AccountingApi(sdk.client, base_url=sandbox.api_url)
    organisation = accounting.get_organisations(TENANT).organisations[0]
    assert organisation.name and organisation.base_currency is not None

    contact = accounting.create_contacts(TENANT, Contacts(contacts=[
        Contact(name="SDK Customer Ltd", email_address="ap@sdk.example")])).contacts[0]
    assert contact.contact_id is not None and contact.name == "SDK Customer Ltd"

    created = accounting.create_invoices(TENANT, Invoices(invoices=[Invoice(
        type="ACCREC", contact=Contact(contact_id=contact.contact_id), reference="SDK-1",
        date=datetime.date(2026, 7, 1), due_date=datetime.date(2026, 7, 31), status="AUTHORISED",
        line_items=[LineItem(description="Consulting", quantity=Decimal("2"), unit_amount=Decimal("150.00"),
                             account_code="200"),
                    LineItem(description="Travel", quantity=Decimal("1"), unit_amount=Decimal("45.50"),
                             account_code="200")])])).invoices[0]
    assert created.invoice_id is not None and created.invoice_number
    assert created.sub_total == Decimal("345.50")

    fetched = accounting.get_invoice(TENANT, created.invoice_id).invoices[0]
    assert fetched.invoice_id == created.invoice_id and fetched.contact.contact_id == contact.contact_id
    assert fetched.reference == "SDK-1" and fetched.date == datetime.date(2026, 7, 1)
    assert [(li.description, li.line_amount) for li in fetched.line_items] == [
        ("Consulting", Decimal("300.00")), ("Travel", Decimal("45.50"))]
    assert fetched.total == fetched.sub_total + fetched.total_tax and str(fetched.status).endswith("AUTHORISED")

    by_where = accounting.get_invoices(TENANT, where=f'Contact.ContactID==guid("{contact.contact_id}")').invoices
    assert [i.invoice_id for i in by_where] == [created.invoice_id]
    by_ids = accounting.get_invoices(TENANT, i_ds=[created.invoice_id]).invoices
    assert [i.invoice_number for i in by_ids] == [created.invoice_number]


def test_xero_python_surfaces_a_validation_error(sdk: Sdk, sandbox: RunningSandbox) -> None:
    accounting = AccountingApi(sdk.client, base_url=sandbox.api_url)
    bad = Invoice(type="ACCREC", contact=Contact(name="SDK Customer Ltd"), date=datetime.date(2026, 7, 1),
                  due_date=datetime.date(2026, 7, 31), status="AUTHORISED",
                  line_items=[LineItem(description="Consulting", quantity=Decimal("1"),
                                       unit_amount=Decimal("10.00"), account_code="NO-SUCH-ACCOUNT")])
    with pytest.raises(AccountingBadRequestException) as refused:
        accounting.create_invoices(TENANT, Invoices(invoices=[bad]))
    assert refused.value.status == 400
    assert "NO-SUCH-ACCOUNT" in refused.value.reason  # the sandbox's validation message, surfaced by the SDK
    assert accounting.get_invoices(TENANT, where='Contact.Name=="SDK Customer Ltd"').invoices == []  # nothing written
