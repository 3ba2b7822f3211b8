"""Which account setting a line without a nominal of its own goes to (R-C4, seed 004).

A host such as Ascora codes some lines and leaves the rest to the books' defaults: labour and materials income
accounts for sales lines, by line kind; the credit note account for a credit note's lines (the bad debt account for
a write-off's); the default supplier invoice account for a bill's lines, or the default supplier expense account for
its expense lines. A line that
names a nominal keeps it: the setting is only the fallback.

The export gives such a line the setting's *key* in place of a nominal code (``setting_key``) and puts the
setting's account under that key in the mapping set (``default_account_mappings``), so every package's mapper,
which looks a line's account up by its nominal, posts it without knowing the setting exists; pre-check names the
setting (``setting_of_key``) when it is empty.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

SETTING_KEY_MARK = "setting:"


class LineKind(enum.StrEnum):
    LABOUR = "labour"
    MATERIALS = "materials"
    EXPENSE = "expense"  # a bill's line recorded as an expense (Ascora's "Default Supplier Expense Account")
    BAD_DEBT = "bad_debt"  # a write-off's credit note line (``sync.write_off``): the bad debt account


SALES_LINE_SETTINGS = {LineKind.LABOUR.value: "labour_income_account",
                       LineKind.MATERIALS.value: "materials_income_account"}
KIND_OF_SETTING = {setting: kind for kind, setting in SALES_LINE_SETTINGS.items()}
CREDIT_NOTE_SETTING = "credit_note_account"
BAD_DEBT_SETTING = "bad_debt_account"
SUPPLIER_INVOICE_SETTING = "default_supplier_invoice_account"
SUPPLIER_EXPENSE_SETTING = "default_supplier_expense_account"
#: Documents whose lines go to the supplier defaults; sales credit notes go to the credit note account; the other
#: sales documents (invoices, and orders whose first line gives a prepayment its account) by line kind.
PURCHASE_TYPES = frozenset({"purchase_order", "purchase_invoice", "purchase_credit_note"})


def default_account_setting(document_type: str, kind: str | None) -> str | None:
    """The setting whose account a line of this document type and kind takes when it names no nominal; None when
    no setting applies (a sales invoice line of no kind, or an expense line on a sales document)."""
    if document_type == "sales_credit_note":
        return BAD_DEBT_SETTING if kind == LineKind.BAD_DEBT.value else CREDIT_NOTE_SETTING
    if document_type in PURCHASE_TYPES:
        return SUPPLIER_EXPENSE_SETTING if kind == LineKind.EXPENSE.value else SUPPLIER_INVOICE_SETTING
    return SALES_LINE_SETTINGS.get(kind or "")


def missing_default_reason(document_type: str) -> str:
    """Why a line of this type with no nominal and no usable kind cannot be posted (intake's words)."""
    kinds = " or ".join(SALES_LINE_SETTINGS)
    return (f"a {document_type.replace('_', ' ')} line needs a nominal code, or a kind ({kinds}) whose income "
            "account the connection's settings name")


def setting_key(setting: str) -> str:
    return SETTING_KEY_MARK + setting


def setting_of_key(code: str | None) -> str | None:
    """The setting a line's nominal stands for, when it is a setting key; None for a real nominal code."""
    if code and code.startswith(SETTING_KEY_MARK):
        return code[len(SETTING_KEY_MARK):]
    return None


def default_account_mappings(settings: Mapping[str, Any]) -> dict[str, str]:
    """Setting key -> account, for every line default the settings name (unset ones are left out, so pre-check
    finds no mapping and names the setting)."""
    names = (*SALES_LINE_SETTINGS.values(), CREDIT_NOTE_SETTING, BAD_DEBT_SETTING, SUPPLIER_INVOICE_SETTING,
             SUPPLIER_EXPENSE_SETTING)
    return {setting_key(name): str(settings[name]) for name in names if settings.get(name)}
