"""Pre-check rules (R-E4, R-E11): every mapping and validation rule, run without sending anything.

Pure functions over record views and a ``MappingSet``; the same rules guard the real
upload, so a record that fails here is never sent. Messages name the document, the
line and the code, because the person reading them has to go and fix exactly that.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingT
from dataclasses import dataclass

from ledgerbridge.connectors.protocol import Connector, ExportContext, Problem
from ledgerbridge.domain.accounting_settings import ACCOUNT_SETTINGS
from ledgerbridge.domain.line_accounts import KIND_OF_SETTING, SALES_LINE_SETTINGS, setting_of_key
from ledgerbridge.domain.money import round_money
from ledgerbridge.domain.rounding import PER_LINE, rounding_difference, rounding_line_amount, tolerance
from ledgerbridge.packages.registry import spec_for
from ledgerbridge.store.models.host import DocumentType, NominalType
from ledgerbridge.store.views import DocumentView, LineView
from ledgerbridge.sync.mappings import MappingSet

NEVER_POSTED = {NominalType.STOCK.value, NominalType.COST_OF_SALE.value}
SALES_SIDE = {DocumentType.SALES_INVOICE.value, DocumentType.SALES_CREDIT_NOTE.value}


@dataclass(frozen=True, slots=True)
class NamedRecord:
    """A party or an item as the package will see its text: its code (how the host names it), name, description."""

    code: str
    name: str
    description: str | None = None


def side_of(document: DocumentView) -> str:
    return "sales" if document.type in SALES_SIDE else "purchases"


def check_line(document: DocumentView, line: LineView, ms: MappingSet, nominal_types: MappingT[str, str],
               package: str, relax: bool, missing_account_answer: str | None = None) -> list[Problem]:
    where = f"{document.label()} line {line.line_no}"
    problems: list[Problem] = []
    kind = nominal_types.get(line.nominal_code)
    if kind in NEVER_POSTED:
        label = "stock" if kind == NominalType.STOCK.value else "cost-of-sale"
        problems.append(Problem(
            f"{where}: nominal code {line.nominal_code} is a {label} nominal; stock and cost-of-sale nominals are "
            f"never posted to {package}",
            hint="Post the line to a sales or purchases nominal: the host keeps stock and its value.",
            failure_type="data"))
        return problems
    setting = setting_of_key(line.nominal_code)
    account = ms.nominal.get(line.nominal_code)
    mapped_to = f"nominal code {line.nominal_code} is mapped to"
    if setting is not None or not line.nominal_code:
        if account is None or setting is None:
            problems.append(_no_default_account(where, setting))
            return problems + _tax_problems(document, line, ms, package, relax, where)
        mapped_to = f"the '{ACCOUNT_SETTINGS[setting].label}' setting names"
    if account is None:
        answer = f" ({package} would answer \"{missing_account_answer}\")" if missing_account_answer else ""
        problems.append(Problem(
            f"{where}: nominal code {line.nominal_code} has no account mapping in {package}{answer}",
            hint=f"Map nominal code {line.nominal_code} to an account on the Mapping tab, then pre-check again."))
    elif ms.chart_loaded:
        info = ms.accounts.get(account)
        if info is None or not info.active:
            problems.append(Problem(
                f"{where}: {mapped_to} account {account}, which is not an active "
                f"account in {package}",
                hint="Refresh the chart of accounts and map the nominal code to an active account."))
        elif not relax and _need_of(document, setting) not in info.usable_for:
            problems.append(Problem(
                f"{where}: {mapped_to} account {account} ({info.name}, "
                f"{info.category}), which is not suitable for {_need_of(document, setting)} lines",
                hint="Choose a suitable account, or turn on 'relax restrictions' in the settings."))
    return problems + _tax_problems(document, line, ms, package, relax, where)


def _need_of(document: DocumentView, setting: str | None) -> str:
    """What the line's account must allow: the document's side, or, for an account a setting names, the setting's
    own need (a write-off's bad debt account is an expense account on a sales credit note)."""
    need = ACCOUNT_SETTINGS[setting].needs if setting else None
    return need or side_of(document)


def _no_default_account(where: str, setting: str | None) -> Problem:
    """A line without a nominal of its own whose account setting is empty: names the setting to fill in."""
    if setting is None:
        return Problem(f"{where} has no nominal code, and no kind ({', '.join(SALES_LINE_SETTINGS)}) that gives it an "
                       "income account", hint="Give the line a nominal code or a kind in the host, and send it again.",
                       failure_type="data")
    label = ACCOUNT_SETTINGS[setting].label
    kind = f" ({KIND_OF_SETTING[setting]} line)" if setting in KIND_OF_SETTING else ""
    return Problem(f"{where}{kind} has no nominal code of its own and the {label.lower()} is not set: it needs the "
                   f"'{label}' setting",
                   hint=f"Choose the {label.lower()} on the Settings tab (or give the line a nominal code), then "
                        "pre-check again.")


def _tax_problems(document: DocumentView, line: LineView, ms: MappingSet, package: str, relax: bool,
                  where: str) -> list[Problem]:
    problems: list[Problem] = []
    tax_type = ms.tax_for(side_of(document)).get(line.tax_code)
    if tax_type is None:
        problems.append(Problem(
            f"{where}: tax code {line.tax_code} has no {side_of(document)} tax rate mapping in {package}",
            hint=f"Map tax code {line.tax_code} to a {package} {side_of(document)} tax rate on the Mapping tab."))
    elif ms.chart_loaded:
        rate = ms.tax_rates.get(tax_type)
        if rate is None or not rate.active:
            problems.append(Problem(
                f"{where}: tax code {line.tax_code} is mapped to {tax_type}, which is not an active tax rate in "
                f"{package}", hint="Refresh the chart of accounts and map the tax code again."))
        elif not relax and side_of(document) not in rate.usable_for:
            problems.append(Problem(
                f"{where}: tax code {line.tax_code} is mapped to {tax_type}, which {package} does not allow on "
                f"{side_of(document)} documents", hint="Map the tax code to a rate that applies to this side."))
    return problems


def check_document(document: DocumentView, ctx: ExportContext, nominal_types: MappingT[str, str],
                   connector: Connector) -> list[Problem]:
    ms = ctx.mappings
    package = connector.display_name
    relax = bool(ctx.settings.get("relax_restrictions"))
    problems: list[Problem] = []
    if not document.lines:
        problems.append(Problem(f"{document.label()} has no lines", failure_type="data"))
    if len(document.number) > connector.max_number_length:
        problems.append(Problem(
            f"{document.label()}: the number is {len(document.number)} characters long; {package} allows at most "
            f"{connector.max_number_length}", hint="Use a shorter numbering prefix for this document type.",
            failure_type="data"))
    if document.gross_total < 0:
        problems.append(Problem(
            f"{document.label()}: the total is {round_money(document.gross_total)}; a document's total cannot be "
            f"negative, and {package} would refuse it",
            hint="Check the quantities and prices; to give money back, send a credit note (a positive document of "
                 "its own type).", failure_type="data"))
    if ms.chart_loaded and document.currency not in ms.currencies:
        problems.append(Problem(
            f"{document.label()}: currency {document.currency} is not enabled in {package}",
            hint=f"Enable {document.currency} in {package}, then refresh the chart of accounts."))
    problems.extend(_text_lengths(document, ctx, connector))
    for line in document.lines:
        problems.extend(check_line(document, line, ms, nominal_types, package, relax,
                                   getattr(connector, "missing_account_answer", None)))
    if not problems and ms.chart_loaded:
        problems.extend(_rounding(document, ctx, connector))
    problems.extend(connector.precheck_document(document, ctx))
    return problems


def _text_lengths(document: DocumentView, ctx: ExportContext, connector: Connector) -> list[Problem]:
    """Text longer than the connection's package takes (its spec's ``text_limits``), named by document, line and
    field: refused here rather than cut short by the mapper or refused by the package."""
    limits = spec_for(connector.kind).text_limits
    package = connector.display_name
    problems: list[Problem] = []

    def check(where: str, field: str, text: str | None, limit: int) -> None:
        if text is not None and len(text) > limit:
            problems.append(Problem(
                f"{where}: the {field} is {len(text):,} characters long; {package} allows at most {limit:,}",
                hint=f"Shorten the {field} in the host, then pre-check again.", failure_type="data"))

    reference_field = str(ctx.settings.get("reference_field") or "order_number")
    reference = getattr(document, reference_field, None)
    check(document.label(), f"reference ({reference_field})", None if reference is None else str(reference),
          limits.reference)
    with_long = bool(ctx.settings.get("push_work_undertaken"))
    for line in document.lines:
        text = line.description or ""
        if with_long and line.long_description:
            text = f"{text}\n{line.long_description}"
        field = "description with the long description" if with_long and line.long_description else "description"
        check(f"{document.label()} line {line.line_no}", field, text, limits.description)
    return problems


def check_names(document: DocumentView, party: NamedRecord | None, items: MappingT[str, NamedRecord],
                connector: Connector) -> list[Problem]:
    """The document's party, and the items its lines name (``items``: by code, those that go out with it), against
    the text the connection's package takes: a longer name is refused here, naming the party or item, rather than
    cut short by the mapper (a name that differs from the host's breaks look-ups and matching) or refused there."""
    limits = spec_for(connector.kind).text_limits
    package = connector.display_name
    problems: list[Problem] = []

    def check(where: str, record: str, field: str, text: str | None, limit: int) -> None:
        if text is not None and len(text) > limit:
            problems.append(Problem(
                f"{where}: the {field} of {record} is {len(text):,} characters long; {package} allows at most "
                f"{limit:,}", hint=f"Shorten the {field} of {record} in the host, then pre-check again.",
                failure_type="data"))

    if party is not None:
        role = "customer" if side_of(document) == "sales" else "supplier"
        check(document.label(), f"{role} {party.code}", "name", party.name, limits.party_name)
    for code in dict.fromkeys(line.item_code for line in document.lines if line.item_code in items):
        item = items[code or ""]
        check(document.label(), f"item {item.code}", "name", item.name, limits.item_name)
        check(document.label(), f"item {item.code}", "description", item.description, limits.description)
    return problems


def _rounding(document: DocumentView, ctx: ExportContext, connector: Connector) -> list[Problem]:
    """The package's total against the host's, by the package's own tax rounding (``rounding``)."""
    package = connector.display_name
    mode = getattr(connector, "tax_rounding", PER_LINE)
    summarised = not ctx.settings.get("push_individual_lines", True)
    diff = rounding_difference(document, ctx.mappings, summarised=summarised, mode=mode)
    if not diff:
        return []
    if rounding_line_amount(document, ctx.mappings, ctx.settings, mode=mode) is not None and getattr(
            connector, "rounding_lines", False):
        return []  # goes out with a rounding line of ``diff`` on the rounding account
    diff = round_money(diff)  # cents in messages (PostgreSQL hands back four places)
    gross = round_money(document.gross_total)
    total = gross - diff
    if abs(diff) > tolerance(document):
        why = f"a difference of {diff}, more than rounding explains: check the line amounts and tax in the host"
    elif not getattr(connector, "rounding_lines", False):
        why = f"a rounding difference of {diff}; ledgerbridge cannot yet add a rounding line in {package}"
    else:
        why = f"a rounding difference of {diff}, and no rounding account is set"
    return [Problem(f"{document.label()}: {package} would total {total} but the host's total is "
                    f"{gross} ({why})",
                    hint="Set a rounding account in the settings, or correct the line amounts in the host.",
                    failure_type="data")]
