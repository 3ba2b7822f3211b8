"""Line items: account and tax checks, and the arithmetic Xero does on every invoice, credit note and payment.

Xero computes each line's tax and rounds it to the cent *per line* (the default "round tax per line" setting),
then adds the rounded figures; the document totals therefore equal the sum of what is printed on the lines.
``LineAmountTypes`` says whether the line amounts exclude tax (the default), include it, or carry none.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from decimal import Decimal

from .books import TenantBooks, name_key
from .inputs import LineInput
from .records import SALES_TYPES, ZERO, Account, Line, Totals
from .wire import money, new_id, quantity
from .wire import unit_amount as round_unit

HUNDRED = Decimal(100)
# :func:`_build_line` creates lines positionally; this keeps it honest if the record's fields move.
assert tuple(f.name for f in fields(Line)) == (
    "line_item_id", "description", "quantity", "unit_amount", "item_code", "account_code", "account_id",
    "tax_type", "tax_amount", "line_amount", "discount_rate", "discount_amount", "tracking",
), "lines._build_line passes Line's fields by position"

MISSING_ACCOUNT = "Account code or ID must be specified"


def invalid_account(code: str) -> str:
    # Assumption: Xero's wording for an unknown line account is not documented; this is the sandbox's.
    return f"Account code '{code}' is not a valid code for this document."


def invalid_tax_type(tax_type: str) -> str:
    return f"The TaxType code {tax_type} does not exist or cannot be used for this type of transaction."


def invalid_item(code: str) -> str:
    # Assumption: wording chosen by the sandbox.
    return f"Item code '{code}' is not valid."


@dataclass(slots=True)
class LineRules:
    """What a document asks of its lines."""

    doc_type: str
    #: Non-draft documents need an account on every line that carries an amount.
    accounts_required: bool
    line_amount_types: str
    unit_dp: int = 2
    #: Overpayments post to receivables/payables, so their lines may have no account.
    account_optional: bool = False

    @property
    def sales(self) -> bool:
        return self.doc_type in SALES_TYPES


def _usable_for_lines(account: Account) -> bool:
    """Bank and system accounts cannot be coded on a line (Xero strips or refuses them)."""
    return account.status == "ACTIVE" and not account.is_bank and not account.system_account


def build_lines(
    books: TenantBooks,
    inputs: list[LineInput],
    rules: LineRules,
    previous_ids: frozenset[str] = frozenset(),
) -> tuple[list[Line], Totals, list[str]]:
    """Validate and price ``inputs``; returns the lines, their totals, and the validation messages."""
    errors: list[str] = []
    sales = rules.sales
    lines = [_build_line(books, given, rules, sales, previous_ids, errors) for given in inputs]
    return lines, document_totals(lines, rules.line_amount_types), errors


def _build_line(books: TenantBooks, given: LineInput, rules: LineRules, sales: bool, previous_ids: frozenset[str],
                errors: list[str]) -> Line:
    if given.item_code:
        given = _with_item_defaults(books, given, sales, errors)
    quantity_, unit, line_amount = _price(given, rules.unit_dp)
    account = _line_account(books, given, rules, line_amount, errors)
    tax_type, tax_rate = _line_tax(books, given.tax_type, account, sales, errors)
    if rules.line_amount_types == "NoTax":
        tax_amount = ZERO
    elif given.tax_amount is not None:
        tax_amount = money(given.tax_amount)
    elif rules.line_amount_types == "Inclusive":
        tax_amount = money(line_amount * tax_rate / (HUNDRED + tax_rate))
    else:
        tax_amount = money(line_amount * tax_rate / HUNDRED)
    keep_id = given.line_item_id if given.line_item_id in previous_ids else None
    # Positional: a dataclass __init__ called with thirteen keywords costs three times as much, on every line.
    return Line(
        keep_id or new_id(),  # line_item_id
        given.description,
        quantity(quantity_) if quantity_ is not None else None,
        unit,  # unit_amount
        given.item_code,
        account.code if account is not None else given.account_code,
        account.account_id if account is not None else None,
        tax_type,
        tax_amount,
        line_amount,
        given.discount_rate,
        given.discount_amount,
        given.tracking,
    )


def _with_item_defaults(books: TenantBooks, given: LineInput, sales: bool, errors: list[str]) -> LineInput:
    """An item fills in what the line leaves out, from its sales or purchase side."""
    item_id = books.item_by_code.get(name_key(given.item_code or ""))
    if item_id is None:
        errors.append(invalid_item(given.item_code or ""))
        return given
    details = books.items[item_id].details
    side = details.get("SalesDetails" if sales else "PurchaseDetails") or {}
    has_account = given.account_code is not None or given.account_id is not None
    return replace(
        given,
        description=given.description if given.description is not None else (
            details.get("Description" if sales else "PurchaseDescription") or details.get("Description")),
        unit_amount=given.unit_amount if given.unit_amount is not None else side.get("UnitPrice"),
        account_code=given.account_code if has_account else side.get("AccountCode"),
        tax_type=given.tax_type if given.tax_type is not None else side.get("TaxType"),
    )


def _price(given: LineInput, unit_dp: int) -> tuple[Decimal | None, Decimal | None, Decimal]:
    """(quantity, unit amount, line amount): ``LineAmount`` may stand in for a missing quantity or unit."""
    quantity_, unit = given.quantity, given.unit_amount
    if unit is not None:
        unit = round_unit(unit, unit_dp)
    if quantity_ is None and unit and given.line_amount is not None:
        quantity_ = given.line_amount / unit
    if quantity_ is None and (unit is not None or given.line_amount is not None):
        quantity_ = Decimal(1)
    if unit is None and given.line_amount is not None and quantity_:
        unit = round_unit(given.line_amount / quantity_, unit_dp)
    if quantity_ is None or unit is None:
        return quantity_, unit, money(given.line_amount) if given.line_amount is not None else ZERO
    gross = quantity_ * unit
    if given.discount_rate:
        gross = gross * (HUNDRED - given.discount_rate) / HUNDRED
    elif given.discount_amount:
        gross -= given.discount_amount
    return quantity_, unit, money(gross)


def _line_account(books: TenantBooks, given: LineInput, rules: LineRules, line_amount: Decimal,
                  errors: list[str]) -> Account | None:
    if not (given.account_code or given.account_id):
        if rules.accounts_required and line_amount and not rules.account_optional:
            errors.append(MISSING_ACCOUNT)
        return None
    account = books.find_account(given.account_id, given.account_code)
    if account is None or not _usable_for_lines(account):
        errors.append(invalid_account(given.account_code or given.account_id or ""))
        return None
    return account


def _line_tax(books: TenantBooks, tax_type: str | None, account: Account | None, sales: bool,
              errors: list[str]) -> tuple[str | None, Decimal]:
    """(tax type, rate %): the line's own tax type, else its account's default, else no tax."""
    if not tax_type:
        default = account.tax_type if account is not None else "NONE"
        record = books.tax_rates.get(default)
        return default, record.rate if record is not None else Decimal(0)
    record = books.tax_rates.get(tax_type.strip().upper())
    if record is None or record.status != "ACTIVE" or not record.can_apply["Revenue" if sales else "Expenses"]:
        errors.append(invalid_tax_type(tax_type))
        return tax_type, Decimal(0)
    return record.tax_type, record.rate


def document_totals(lines: list[Line], line_amount_types: str) -> Totals:
    line_sum = sum((line.line_amount for line in lines), ZERO)
    tax_sum = sum((line.tax_amount for line in lines), ZERO)
    if line_amount_types == "Inclusive":
        return Totals(sub_total=line_sum - tax_sum, total_tax=tax_sum, total=line_sum)
    return Totals(sub_total=line_sum, total_tax=tax_sum, total=line_sum + tax_sum)


def line_inputs_of(lines: list[Line]) -> list[LineInput]:
    """Turn stored lines back into inputs, so an update that leaves lines alone re-validates them unchanged.

    Tax is recomputed rather than carried over, so that changing ``LineAmountTypes`` alone re-prices the lines.
    """
    return [
        LineInput(
            line_item_id=line.line_item_id,
            description=line.description,
            quantity=line.quantity,
            unit_amount=line.unit_amount,
            item_code=line.item_code,
            account_code=line.account_code,
            account_id=line.account_id,
            tax_type=line.tax_type,
            line_amount=line.line_amount if line.quantity is None else None,
            discount_rate=line.discount_rate,
            discount_amount=line.discount_amount,
            tracking=line.tracking,
        )
        for line in lines
    ]
