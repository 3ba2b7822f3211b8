"""The host, company and preferences: what the Web Connector hands over in ``strHCPResponse`` on the first
``sendRequestXML`` of a session (its own HostQuery, CompanyQuery and PreferencesQuery, answered by QuickBooks).

From it ledgerbridge learns the product and edition's country (US, UK, CA: which tax flavour applies), the qbXML
versions the request processor supports (``version.py`` chooses among them), whether multi-currency is on and the
home currency, the sales tax defaults, and the ``FileID`` our .qwc stamped into the company file (DataExt under
our OwnerID): the check that the Web Connector opened the company this connection belongs to. The queries
themselves are here too, for the sandbox's Web Connector to ask them as the real one does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ledgerbridge.packages.qbd.qbxml.nodes import Element, request_node
from ledgerbridge.packages.qbd.qbxml.responses import parse_qbxml
from ledgerbridge.packages.qbd.qbxml.rets import RefValue, read_ref
from ledgerbridge.packages.qbd.qbxml.values import parse_bool

__all__ = ["CompanyInfo", "HostCompanyPreferences", "HostInfo", "PreferencesInfo", "company_query", "host_query",
           "parse_hcp_response", "preferences_query"]


@dataclass(frozen=True, slots=True)
class HostInfo:
    product_name: str | None
    major_version: str | None
    minor_version: str | None
    country: str | None  # US, UK, CA (the edition)
    supported_versions: tuple[str, ...]  # as QuickBooks lists them (old editions add "UK2.0"-like entries)
    is_automatic_login: bool | None
    file_mode: str | None  # SingleUser | MultiUser


@dataclass(frozen=True, slots=True)
class CompanyInfo:
    company_name: str | None
    legal_company_name: str | None
    country: str | None  # of the company's address
    data_ext: dict[tuple[str, str], str] = field(default_factory=dict)  # (OwnerID, DataExtName) -> value

    def file_id(self, owner_id: str) -> str | None:
        """The FileID the Web Connector stored under our OwnerID when the .qwc was first used."""
        return next((v for (owner, name), v in self.data_ext.items()
                     if name == "FileID" and owner.upper() == owner_id.upper()), None)


@dataclass(frozen=True, slots=True)
class PreferencesInfo:
    multi_currency: bool
    home_currency: RefValue | None
    uses_account_numbers: bool
    default_item_sales_tax: RefValue | None  # US: the sales tax item charged by default
    default_taxable_code: RefValue | None  # US "Tax"
    default_non_taxable_code: RefValue | None  # US "Non"
    amounts_include_tax: bool | None  # UK/CA: the company's "amounts include tax" default


@dataclass(frozen=True, slots=True)
class HostCompanyPreferences:
    host: HostInfo | None
    company: CompanyInfo | None
    preferences: PreferencesInfo | None


def host_query(*, request_id: str) -> Element:
    return request_node("HostQueryRq", request_id).element


def company_query(*, request_id: str, owner_ids: Sequence[str] = ()) -> Element:
    """``CompanyQueryRq``; with our OwnerID the answer carries our DataExt (the FileID)."""
    rq = request_node("CompanyQueryRq", request_id)
    for owner in owner_ids:
        rq.guid("OwnerID", owner)
    return rq.element


def preferences_query(*, request_id: str) -> Element:
    return request_node("PreferencesQueryRq", request_id).element


def _text(element: Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path)
    return found.text if found is not None and found.text is not None else None


def _host(ret: Element) -> HostInfo:
    versions = tuple((v.text or "").strip() for v in ret.findall("SupportedQBXMLVersion") if (v.text or "").strip())
    return HostInfo(_text(ret, "ProductName"), _text(ret, "MajorVersion"), _text(ret, "MinorVersion"),
                    _text(ret, "Country"), versions, parse_bool(_text(ret, "IsAutomaticLogin")),
                    _text(ret, "QBFileMode"))


def _company(ret: Element) -> CompanyInfo:
    data = {(_text(d, "OwnerID") or "", _text(d, "DataExtName") or ""): _text(d, "DataExtValue") or ""
            for d in ret.findall("DataExtRet")}
    return CompanyInfo(_text(ret, "CompanyName"), _text(ret, "LegalCompanyName"),
                       _text(ret, "LegalAddress/Country") or _text(ret, "Address/Country"), data)


def _preferences(ret: Element) -> PreferencesInfo:
    currency = ret.find("MultiCurrencyPreferences")
    tax = ret.find("SalesTaxPreferences")
    return PreferencesInfo(
        multi_currency=parse_bool(_text(currency, "IsMultiCurrencyOn")) is True,
        home_currency=read_ref(currency, "HomeCurrencyRef") if currency is not None else None,
        uses_account_numbers=parse_bool(_text(ret, "AccountingPreferences/IsUsingAccountNumbers")) is True,
        default_item_sales_tax=read_ref(tax, "DefaultItemSalesTaxRef") if tax is not None else None,
        default_taxable_code=read_ref(tax, "DefaultTaxableSalesTaxCodeRef") if tax is not None else None,
        default_non_taxable_code=read_ref(tax, "DefaultNonTaxableSalesTaxCodeRef") if tax is not None else None,
        amounts_include_tax=parse_bool(_text(tax, "IsUsingAmountsIncludeTax")))


def parse_hcp_response(text: str) -> HostCompanyPreferences:
    """The three answers of ``strHCPResponse`` (each None when missing or answered with an error). An empty
    string (every ``sendRequestXML`` after the session's first) gives three Nones."""
    if not text.strip():
        return HostCompanyPreferences(None, None, None)
    messages = parse_qbxml(text).find("QBXMLMsgsRs")
    if messages is None:
        return HostCompanyPreferences(None, None, None)

    def ret(query: str, tag: str) -> Element | None:
        rs = messages.find(query)
        if rs is None or rs.get("statusSeverity") == "Error":
            return None
        return rs.find(tag)

    host, company, preferences = (ret("HostQueryRs", "HostRet"), ret("CompanyQueryRs", "CompanyRet"),
                                  ret("PreferencesQueryRs", "PreferencesRet"))
    return HostCompanyPreferences(_host(host) if host is not None else None,
                                  _company(company) if company is not None else None,
                                  _preferences(preferences) if preferences is not None else None)
