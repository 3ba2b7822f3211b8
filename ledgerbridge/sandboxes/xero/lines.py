"""Line items: account and tax checks, and the arithmetic Xero does on every invoice, credit note and payment.

Xero computes each line's tax and rounds it to the cent *per line* (the default "round tax per line" setting),
then adds the rounded figures; the document totals therefore equal the sum of what is printed on the lines.
``LineAmountTypes`` says whether the line amounts exclude tax (the default), include it, or carry none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .books import TenantBooks, name_key
from .inputs import LineInput
from .records import SALES_TYPES, ZERO, Account, Line, Totals
from .wire import money, new_id, quantity

HUNDRED = Decimal(100)
_UNIT_STEPS = {2: Decimal("0.01"), 4: Decimal("0.0001")}

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
    lines: list[Line] = []
    unit_step = _UNIT_STEPS.get(rules.unit_dp, _UNIT_STEPS[2])
    tax_flag = "Revenue" if rules.sales else "Expenses"
    for given in inputs:
        description = given.description
        unit_amount = given.unit_amount
        account_code, account_id, tax_type = given.account_code, given.account_id, given.tax_type
        if given.item_code:
            item_id = books.item_by_code.get(name_key(given.item_code))
            if item_id is None:
                errors.append(invalid_item(given.item_code))
            else:
                details = books.items[item_id].details
                side = details.get("SalesDetails" if rules.sales else "PurchaseDetails") or {}
                if description is None:
                    description = details.get("Description" if rules.sales else "PurchaseDescription") \
                        or details.get("Description")
                if unit_amount is None:
                    unit_amount = side.get("UnitPrice")
                if account_code is None and account_id is None:
                    account_code = side.get("AccountCode")
                if tax_type is None:
                    tax_type = side.get("TaxType")

        qty = given.quantity
        if unit_amount is not None:
            unit_amount = unit_amount.quantize(unit_step, rounding=ROUND_HALF_UP)
        if qty is None and unit_amount is not None and given.line_amount is not None and unit_amount:
            qty = given.line_amount / unit_amount
        if qty is None and (unit_amount is not None or given.line_amount is not None):
            qty = Decimal(1)
        if unit_amount is None and given.line_amount is not None and qty:
            unit_amount = (given.line_amount / qty).quantize(unit_step, rounding=ROUND_HALF_UP)
        if qty is not None and unit_amount is not None:
            gross = qty * unit_amount
            if given.discount_rate:
                gross = gross * (HUNDRED - given.discount_rate) / HUNDRED
            elif given.discount_amount:
                gross -= given.discount_amount
            line_amount = money(gross)
        else:
            line_amount = money(given.line_amount) if given.line_amount is not None else ZERO

        account = books.find_account(account_id, account_code)
        if account_code or account_id:
            if account is None or not _usable_for_lines(account):
                errors.append(invalid_account(account_code or account_id or ""))
                account = None
        elif rules.accounts_required and line_amount and not rules.account_optional:
            errors.append(MISSING_ACCOUNT)

        if tax_type:
            rate_record = books.tax_rates.get(tax_type.strip().upper())
            if rate_record is None or rate_record.status != "ACTIVE" or not rate_record.can_apply[tax_flag]:
                errors.append(invalid_tax_type(tax_type))
                rate_record = None
            else:
                tax_type = rate_record.tax_type
        else:
            tax_type = account.tax_type if account is not None else "NONE"
            rate_record = books.tax_rates.get(tax_type)
        tax_rate = rate_record.rate if rate_record is not None else Decimal(0)

        if rules.line_amount_types == "NoTax":
            tax_amount = ZERO
        elif given.tax_amount is not None:
            tax_amount = money(given.tax_amount)
        elif rules.line_amount_types == "Inclusive":
            tax_amount = money(line_amount * tax_rate / (HUNDRED + tax_rate))
        else:
            tax_amount = money(line_amount * tax_rate / HUNDRED)

        keep_id = given.line_item_id if given.line_item_id in previous_ids else None
        lines.append(
            Line(
                line_item_id=keep_id or new_id(),
                description=description,
                quantity=quantity(qty) if qty is not None else None,
                unit_amount=unit_amount,
                item_code=given.item_code,
                account_code=account.code if account is not None else account_code,
                account_id=account.account_id if account is not None else None,
                tax_type=tax_type,
                tax_amount=tax_amount,
                line_amount=line_amount,
                discount_rate=given.discount_rate,
                discount_amount=given.discount_amount,
                tracking=given.tracking,
            )
        )
    return lines, document_totals(lines, rules.line_amount_types), errors


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
