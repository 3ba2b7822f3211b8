"""Typed readers of the chart's Rets: accounts, sales tax codes and the tax items that hold their rates, terms,
payment methods and currencies.

In QuickBooks Desktop a sales tax *code* (``SalesTaxCodeRet``: Name of up to 3 characters) says only whether a
line is taxable; the rate lives on a sales tax *item* (``ItemSalesTaxRet``/``TaxRate``) or group. US companies
have the codes ``Tax`` and ``Non`` and a sales tax item per authority on the invoice; UK and Canadian companies
have VAT/GST codes (``S``, ``Z``, ``E``, ``G``...) whose ``ItemSalesTaxRef``/``ItemPurchaseTaxRef`` point at the
items with the rates. :mod:`packages.qbd.readers` combines the two into the engine's tax rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledgerbridge.packages.qbd.qbxml.nodes import Element
from ledgerbridge.packages.qbd.qbxml.rets import RefValue, read_ref
from ledgerbridge.packages.qbd.qbxml.rets import child_text as _text  # noqa: N811
from ledgerbridge.packages.qbd.qbxml.values import parse_amount, parse_bool

__all__ = ["AccountRecord", "CurrencyRecord", "PaymentMethodRecord", "TaxCodeRecord", "TaxItemRecord",
           "TermsRecord", "read_account", "read_currency", "read_payment_method", "read_tax_code", "read_tax_item",
           "read_terms"]


def _active(ret: Element) -> bool:
    return parse_bool(_text(ret, "IsActive")) is not False


@dataclass(frozen=True, slots=True)
class AccountRecord:
    list_id: str
    name: str
    full_name: str  # "Parent:Child" for a sub-account: what a Ref by name must say
    account_number: str | None  # the user's account number (at most 7 characters), when numbering is on
    account_type: str  # Income, Expense, Bank, CostOfGoodsSold, OtherCurrentAsset...
    special_account_type: str | None
    is_active: bool
    currency: RefValue | None


@dataclass(frozen=True, slots=True)
class TaxCodeRecord:
    list_id: str
    name: str
    is_taxable: bool
    desc: str | None
    is_active: bool
    sales_tax_item: RefValue | None  # UK/CA: the item holding the sales rate
    purchase_tax_item: RefValue | None


@dataclass(frozen=True, slots=True)
class TaxItemRecord:
    """A sales tax item (its rate) or a group (its items: the rate is their sum)."""

    list_id: str
    name: str
    rate: Decimal | None
    is_active: bool
    group_of: tuple[RefValue, ...] = ()


@dataclass(frozen=True, slots=True)
class TermsRecord:
    list_id: str
    name: str
    is_active: bool
    due_days: int | None  # standard terms (net N days); None for date-driven terms


@dataclass(frozen=True, slots=True)
class PaymentMethodRecord:
    list_id: str
    name: str
    is_active: bool
    method_type: str | None


@dataclass(frozen=True, slots=True)
class CurrencyRecord:
    list_id: str
    name: str  # what refs say ("British Pound Sterling")
    code: str | None  # ISO 4217
    is_active: bool


def read_account(ret: Element) -> AccountRecord:
    name = _text(ret, "Name") or ""
    return AccountRecord(_text(ret, "ListID") or "", name, _text(ret, "FullName") or name,
                         _text(ret, "AccountNumber"), _text(ret, "AccountType") or "",
                         _text(ret, "SpecialAccountType"), _active(ret), read_ref(ret, "CurrencyRef"))


def read_tax_code(ret: Element) -> TaxCodeRecord:
    return TaxCodeRecord(_text(ret, "ListID") or "", _text(ret, "Name") or "",
                         parse_bool(_text(ret, "IsTaxable")) is True, _text(ret, "Desc"), _active(ret),
                         read_ref(ret, "ItemSalesTaxRef"), read_ref(ret, "ItemPurchaseTaxRef"))


def read_tax_item(ret: Element) -> TaxItemRecord:
    """An ItemSalesTaxRet or ItemSalesTaxGroupRet (both come back from an ItemQuery)."""
    members = tuple(RefValue(_text(r, "ListID"), _text(r, "FullName")) for r in ret.findall("ItemSalesTaxRef"))
    return TaxItemRecord(_text(ret, "ListID") or "", _text(ret, "Name") or "",
                         parse_amount(_text(ret, "TaxRate")), _active(ret), members)


def read_terms(ret: Element) -> TermsRecord:
    days = _text(ret, "StdDueDays")
    return TermsRecord(_text(ret, "ListID") or "", _text(ret, "Name") or "", _active(ret),
                       int(days) if days and days.strip().isdigit() else None)


def read_payment_method(ret: Element) -> PaymentMethodRecord:
    return PaymentMethodRecord(_text(ret, "ListID") or "", _text(ret, "Name") or "", _active(ret),
                               _text(ret, "PaymentMethodType"))


def read_currency(ret: Element) -> CurrencyRecord:
    return CurrencyRecord(_text(ret, "ListID") or "", _text(ret, "Name") or "", _text(ret, "CurrencyCode"),
                          _active(ret))
