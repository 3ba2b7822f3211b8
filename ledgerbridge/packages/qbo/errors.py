"""QBO's Fault bodies: parsing (either case, as the gateway uses lower-case keys) and what each code means.

QBO's message is always shown verbatim (R-E10); this table only adds the failure type and the way out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STALE_OBJECT = "5010"
DUPLICATE_NAME = "6240"
DUPLICATE_NUMBER = "6140"


@dataclass(frozen=True, slots=True)
class FaultError:
    code: str
    message: str
    detail: str
    element: str = ""

    def text(self) -> str:
        return f"{self.message} ({self.code}): {self.detail}" if self.detail else f"{self.message} ({self.code})"


def parse_fault(payload: Any) -> list[FaultError]:
    """The errors of a ``Fault``/``fault`` block (or of a body that holds one); empty when there is none."""
    if not isinstance(payload, dict):
        return []
    fault = payload.get("Fault") or payload.get("fault")
    if fault is None and ("Error" in payload or "error" in payload):
        fault = payload
    if not isinstance(fault, dict):
        return []
    out = []
    for err in fault.get("Error") or fault.get("error") or []:
        low = {str(k).lower(): v for k, v in err.items()}
        out.append(FaultError(str(low.get("code", "")), str(low.get("message", "")), str(low.get("detail", "")),
                              str(low.get("element", "") or "")))
    return out


# code -> (failure type, hint)
KNOWN_CODES: dict[str, tuple[str, str]] = {
    "610": ("config", "QuickBooks cannot find a record this one names (deleted, or made inactive): refresh the chart "
                      "of accounts, check the mappings and the customer or supplier, then upload again."),
    "2500": ("config", "A reference (account, tax code, customer or supplier) is not valid in QuickBooks: refresh "
                       "the chart of accounts and check the mappings, then upload again."),
    "2050": ("data", "A value is too long for QuickBooks (document numbers at most 21 characters): shorten it."),
    "5010": ("system", "Someone changed this record in QuickBooks while we were sending it: upload again."),
    "6140": ("data", "A document with this number already exists in QuickBooks (perhaps entered there by hand). If "
                     "it is the same document, use Mark as Exported with QuickBooks' reference; otherwise renumber "
                     "it in the host."),
    "6200": ("system", "The document's date falls in a closed period in QuickBooks: ask the accountant, or date the "
                       "document in an open period."),
    "6240": ("data", "Another QuickBooks customer, supplier or employee has this name: rename one of them."),
    "6430": ("config", "The mapped account has the wrong type for this line: map the nominal code to a suitable "
                       "account."),
    "6540": ("system", "The payment has been deposited in QuickBooks: take it out of the deposit first."),
}


def explain(errors: list[FaultError]) -> tuple[str, str | None]:
    """(failure type, hint) for a Fault."""
    for err in errors:
        if err.code in KNOWN_CODES:
            return KNOWN_CODES[err.code]
        if err.code == "6000" and "payment" in (err.detail + err.message).lower() and "void" in (
                err.detail + err.message).lower():
            return "system", ("QuickBooks will not void a document with payments applied: delete the payments in "
                              "QuickBooks first, or issue a credit note in the host instead.")
    return "data", "Correct the record in the host as QuickBooks' message says, then upload again."


def fault_message(errors: list[FaultError], fallback: str) -> str:
    return "; ".join(e.text() for e in errors) or fallback
