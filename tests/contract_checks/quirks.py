"""Where Xero's published spec and Xero's real wire format disagree, and what we allow.

Each ``WireQuirk`` is one documented disagreement. Keeping them as data (instead of
quietly loosening the schemas) means a reviewer can see exactly how far the checker
is from the letter of the spec, and why. Evidence is the spec's own captured
examples ([S ...]), the project's research note on Xero ([R §n]) or the
official SDK ([SDK]).

Quirks are applied per direction: an undeclared field that Xero *sends* (``DateString``)
is allowed in responses only, so the connector still may not send it.

Not accommodated on purpose (examples in the spec that break the spec's own schema
and are not known to be real wire behaviour; see ``KNOWN_EXAMPLE_DEFECTS`` in the
tests): POST /Payments and POST /Payments/{PaymentID} examples wrapped in
``{"Payments": [...]}``; the DELETE .../Allocations/{AllocationID} example
(``AllocationId``, ``Invoice`` as an array); ``TaxNumbeType`` and ``Lineitems`` typos;
Receipt.ReceiptNumber as a number; ``null`` inside PurchaseOrder Contact.Addresses.
Enable a subset with ``OpenApiContract.load(..., quirks=...)``; ``quirks=()`` leaves only
the ``always_on`` interpretations (Xero date shapes, read-only fields in requests).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

QuirkDirection = Literal["request", "response", "both"]


@dataclass(frozen=True)
class WireQuirk:
    key: str
    direction: QuirkDirection
    spec_says: str
    wire_does: str
    evidence: str
    #: an interpretation built into the checker, not switchable with ``quirks=``
    always_on: bool = False


ENVELOPE = "response-envelope"
DATE_STRING_ECHO = "date-string-echo"
ELEMENT_ECHO = "error-element-echo"
ELEMENT_STATUS_FIELDS = "element-status-fields"
LEGACY_ID = "legacy-ID-field"
DISCOUNT_AS_PERCENT = "lineitem-discount-entered-as-percent"
UNDECLARED_NESTED = "undeclared-nested-models"
BATCH_PAYMENT_STRINGS = "batch-payment-string-scalars"
MS_DATES = "ms-json-dates"
READ_ONLY_IN_REQUESTS = "read-only-in-requests"
BOOL_QUERY_CASE = "boolean-query-case"
IF_MODIFIED_SINCE = "if-modified-since-formats"
TOKEN_SCOPE = "token-response-scope"
IDENTITY_PATH_CASE = "identity-path-case"

XERO_QUIRKS: tuple[WireQuirk, ...] = (
    WireQuirk(ENVELOPE, "response",
              "collection schemas (Invoices, Contacts, ...) declare only the collection, pagination, Warnings",
              "every 2xx body also carries Id (uuid), Status, ProviderName, DateTimeUTC (/Date(ms)/)",
              "[S every 200 example, e.g. paths./Invoices.get] [R §1]"),
    WireQuirk(DATE_STRING_ECHO, "response",
              "Invoice.Date etc. are declared alone",
              "each MS-JSON date X is echoed as XString ('2018-10-20 00:00:00'): DateString, DueDateString, "
              "DateUTCString, CreatedDateUTCString, ...",
              "[S paths./Invoices.get/put 200 examples] [R §1]"),
    WireQuirk(ELEMENT_ECHO, "response",
              "Error.Elements[] items are Element {ValidationErrors, <type>ID}",
              "a 400 ValidationException echoes the whole failed element (e.g. a Contact) plus ValidationErrors",
              "[S paths./Contacts.put 400, paths./Accounts.put 400 examples] [R §10]"),
    WireQuirk(ELEMENT_STATUS_FIELDS, "response",
              "LineItem, HistoryRecord, Address, Phone, Bill (PaymentTerms) have no ValidationErrors; "
              "ContactGroup, TrackingOption no HasValidationErrors",
              "Xero sends ValidationErrors: [] / HasValidationErrors: false on these nested elements",
              "[S paths./Invoices.put 200 example LineItems[0].ValidationErrors, Contact.ContactGroups[0]; "
              "paths./Contacts.put 400 example Elements[0].Addresses[0]/Phones[0]/PaymentTerms.Bills]"),
    WireQuirk(LEGACY_ID, "response",
              "CreditNote, Prepayment, Overpayment, Receipt have only <Type>ID",
              "they also carry 'ID' (same uuid as CreditNoteID/PrepaymentID/OverpaymentID/ReceiptID)",
              "[S paths./CreditNotes.get, /Prepayments.get, /Overpayments.get, /Receipts.get, "
              ".../Allocations.put examples]"),
    WireQuirk(DISCOUNT_AS_PERCENT, "response",
              "LineItem has no DiscountEnteredAsPercent",
              "line items on prepayments/overpayments/repeating invoices carry DiscountEnteredAsPercent: true",
              "[S paths./Prepayments/{PrepaymentID}.get, /Overpayments/{OverpaymentID}.get examples]"),
    WireQuirk(UNDECLARED_NESTED, "response",
              "BankTransaction and CreditNote declare no Attachments; BankTransaction no BatchPayment",
              "single-record GETs carry Attachments[]; bank transactions created by a batch carry BatchPayment{}",
              "[S paths./BankTransactions/{BankTransactionID}.get, /CreditNotes/{CreditNoteID}.get, "
              "/BankTransactions.get examples]"),
    WireQuirk(BATCH_PAYMENT_STRINGS, "response",
              "BatchPayment.TotalAmount is a number, IsReconciled a boolean",
              "Xero sends them as strings ('50.00', 'false'), also inside Payment.BatchPayment on GET /Payments",
              "[S paths./Payments.get, /BankTransactions.get, /BatchPayments.get examples]"),
    WireQuirk(MS_DATES, "both",
              "x-is-msdate strings documented as YYYY-MM-DD; date-time as RFC 3339",
              "Xero sends /Date(ms+0000)/; the SDK sends /Date(ms)/; Identity sends 7-digit fractions without zone",
              "[S Invoice.UpdatedDateUTC example] [R §1, §15.1] [SI Connections example]", always_on=True),
    WireQuirk(READ_ONLY_IN_REQUESTS, "request",
              "readOnly properties should not be sent",
              "the official SDK always sends HasErrors/HasAttachments/HasValidationErrors: false; they are still "
              "type-checked",
              "[R §15.2]", always_on=True),
    WireQuirk(BOOL_QUERY_CASE, "request",
              "boolean query parameters (summarizeErrors)",
              "the SDK sends Python-cased ?summarizeErrors=False; booleans are compared case-insensitively",
              "[R §15.3]"),
    WireQuirk(IF_MODIFIED_SINCE, "request",
              "If-Modified-Since is format: date-time",
              "HTTP clients send RFC 1123 HTTP-dates; the SDK sends ISO 8601; both are accepted",
              "[R §12, §15.4]"),
    WireQuirk(TOKEN_SCOPE, "response",
              "AccessToken has id_token, access_token, expires_in, token_type, refresh_token",
              "the token endpoint also returns scope (space-separated string)",
              "[R §13] RFC 6749 §5.1"),
    WireQuirk(IDENTITY_PATH_CASE, "request",
              "identity path is /Connections",
              "Xero documents and serves https://api.xero.com/connections; identity paths match case-insensitively",
              "[R §13]"),
)
QUIRKS_BY_KEY: dict[str, WireQuirk] = {q.key: q for q in XERO_QUIRKS}
ALL_QUIRK_KEYS: frozenset[str] = frozenset(QUIRKS_BY_KEY)

#: OpenAPI-form schemas of the envelope fields added to top-level 2xx bodies.
ENVELOPE_PROPERTIES: dict[str, dict[str, Any]] = {
    "Id": {"type": "string", "format": "uuid"},
    "Status": {"type": "string"},
    "ProviderName": {"type": "string"},
    "DateTimeUTC": {"type": "string", "x-is-msdate-time": True},
}
_UUID = {"type": "string", "format": "uuid"}
_VALIDATION_ERRORS = {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}
_ADDED_RESPONSE_PROPERTIES: dict[str, dict[str, dict[str, dict[str, Any]]]] = {
    ELEMENT_STATUS_FIELDS: {
        "LineItem": {"ValidationErrors": _VALIDATION_ERRORS},
        "HistoryRecord": {"ValidationErrors": _VALIDATION_ERRORS},
        # nested parts of a Contact echoed in a 400 ValidationException
        "Address": {"ValidationErrors": _VALIDATION_ERRORS},
        "Phone": {"ValidationErrors": _VALIDATION_ERRORS},
        "Bill": {"ValidationErrors": _VALIDATION_ERRORS},
        "ContactGroup": {"HasValidationErrors": {"type": "boolean"}},
        "TrackingOption": {"HasValidationErrors": {"type": "boolean"}},
    },
    LEGACY_ID: {name: {"ID": _UUID} for name in ("CreditNote", "Prepayment", "Overpayment", "Receipt")},
    DISCOUNT_AS_PERCENT: {"LineItem": {"DiscountEnteredAsPercent": {"type": "boolean"}}},
    UNDECLARED_NESTED: {
        "BankTransaction": {
            "Attachments": {"type": "array", "items": {"$ref": "#/components/schemas/Attachment"}},
            "BatchPayment": {"$ref": "#/components/schemas/BatchPayment"},
        },
        "CreditNote": {"Attachments": {"type": "array", "items": {"$ref": "#/components/schemas/Attachment"}}},
    },
    TOKEN_SCOPE: {"AccessToken": {"scope": {"type": "string"}}},
}


def _is_ms_date(prop: Any) -> bool:
    return isinstance(prop, Mapping) and bool(prop.get("x-is-msdate") or prop.get("x-is-msdate-time"))


def overlay_schemas(
    schemas: Mapping[str, Any], direction: Literal["request", "response"], enabled: frozenset[str]
) -> dict[str, Any]:
    """Return ``components.schemas`` with the enabled quirks for ``direction`` applied.

    The cached parsed spec is shared and must stay pristine, so every patched schema
    is deep-copied first; untouched ones are shared.
    """
    out: dict[str, Any] = dict(schemas)
    patched: set[str] = set()

    def props_of(name: str) -> dict[str, Any] | None:
        if name not in out or not isinstance(out[name], Mapping):
            return None
        if name not in patched:
            out[name] = copy.deepcopy(out[name])
            patched.add(name)
        props: dict[str, Any] = out[name].setdefault("properties", {})
        return props

    if direction == "response":
        for key, additions in _ADDED_RESPONSE_PROPERTIES.items():
            if key not in enabled:
                continue
            for schema_name, props in additions.items():
                target = props_of(schema_name)
                if target is not None:
                    for prop, prop_schema in props.items():
                        target.setdefault(prop, prop_schema)
        if BATCH_PAYMENT_STRINGS in enabled and (target := props_of("BatchPayment")) is not None:
            # JSON Schema type lists (not OpenAPI 3.0, but our converter passes them through).
            target["TotalAmount"] = {"type": ["number", "string"], "pattern": r"^-?\d+(\.\d+)?$"}
            target["IsReconciled"] = {"type": ["boolean", "string"], "enum": [True, False, "true", "false"]}
        if DATE_STRING_ECHO in enabled:
            for name, schema in schemas.items():
                declared = schema.get("properties") if isinstance(schema, Mapping) else None
                if not isinstance(declared, Mapping):
                    continue
                missing = [p + "String" for p, s in declared.items() if _is_ms_date(s) and p + "String" not in declared]
                if missing:
                    target = props_of(name)
                    assert target is not None
                    for prop in missing:
                        target[prop] = {"type": "string", "x-is-msdate-time": True}
    return out
