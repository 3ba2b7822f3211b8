"""QBO faults: the error codes, messages and HTTP statuses a connector must handle, in one place.

An API route raises :class:`QboFault`; the app turns it into
``{"Fault":{"Error":[{"Message","Detail","code","element"}],"type":"ValidationFault"},"time":...}``. Inside a
batch the same fault becomes the item's ``Fault`` with HTTP 200. Texts follow the project's research note on QBO where
it quotes them; the others are QBO's usual wording (noted as assumptions in README.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class QboFault(Exception):
    """One QBO error. ``status`` is the HTTP status when it is the whole response (400 for validation)."""

    code: str
    message: str
    detail: str
    element: str = ""
    status: int = 400
    type: str = "ValidationFault"

    def fault(self) -> dict[str, Any]:
        error = {"Message": self.message, "Detail": self.detail, "code": self.code, "element": self.element}
        return {"Error": [error], "type": self.type}


def object_not_found(entity: str, entity_id: str) -> QboFault:
    return QboFault("610", "Object Not Found",
                    "Object Not Found : Something you're trying to use has been made inactive. Check the fields "
                    f"with accounts, customers, items, vendors or employees. ({entity} Id={entity_id})")


def required(element: str) -> QboFault:
    return QboFault("2020", "Required param missing, need to supply the required value for the API",
                    f"Required parameter {element} is missing in the request", element)


def invalid_reference(element: str, entity: str, ref: str) -> QboFault:
    return QboFault("2500", "Invalid Reference Id",
                    f"Invalid Reference Id : {entity} assigned to this transaction has been deleted or does not "
                    f"exist. Id={ref}", element)


def stale(entity: str, entity_id: str) -> QboFault:
    return QboFault("5010", "Stale Object Error",
                    "Stale Object Error : You and ledgerbridge sandbox were working on this at the same time. "
                    "ledgerbridge sandbox finished before you did, so your work was not saved.",
                    f"{entity}.SyncToken")


def duplicate_name() -> QboFault:
    return QboFault("6240", "Duplicate Name Exists Error",
                    "The name supplied already exists. : Another customer, vendor or employee is already using "
                    "this name", "DisplayName")


def duplicate_item_name(name: str) -> QboFault:
    return QboFault("6240", "Duplicate Name Exists Error",
                    f"The name supplied already exists. : {name}", "Name")


def duplicate_doc_number(doc_number: str, txn_type: str, txn_id: str) -> QboFault:
    return QboFault("6140", "Duplicate Document Number Error",
                    "Duplicate Document Number Error : You must specify a different number. This number has "
                    f"already been used. DocNumber={doc_number} is assigned to TxnType={txn_type} with "
                    f"TxnId={txn_id}", "DocNumber")


def too_long(element: str, maximum: int, supplied: int) -> QboFault:
    return QboFault("2050", "String length is either shorter or longer than supported by specification",
                    f"String length specified does not match the supported length. Min:0 Max:{maximum} "
                    f"supplied length:{supplied}", element)


def invalid_enum(element: str, value: Any) -> QboFault:
    return QboFault("2170", "Invalid Enumeration",
                    f"Invalid Enumeration : {value} is not a valid value for {element}", element)


def invalid_property(element: str, reason: str) -> QboFault:
    return QboFault("2010", "Request has invalid or unsupported property",
                    f"Property Name:{reason} specified is unsupported or invalid", element)


def business(detail: str, element: str = "") -> QboFault:
    return QboFault("6000", "A business validation error has occurred while processing your request",
                    f"Business Validation Error: {detail}", element)


def query_parse(detail: str) -> QboFault:
    return QboFault("4000", "Error parsing query", f"QueryParserError: {detail}")


def query_invalid(detail: str) -> QboFault:
    return QboFault("4001", "Invalid query", f"QueryValidationError: {detail}")


def unsupported_operation(operation: str, entity: str) -> QboFault:
    return QboFault("2030", "Invalid ID", f"Operation {operation} is not supported for {entity}", "operation")


def batch_too_large(size: int, limit: int) -> QboFault:
    return QboFault("1040", "Batch size exceeds allowed limit",
                    f"The batch request contains {size} items; at most {limit} are allowed")


def unsupported_entity(path: str) -> QboFault:
    return QboFault("2010", "Request has invalid or unsupported property",
                    f"Unsupported entity or operation: {path}", status=400)


def system_fault(status: int) -> QboFault:
    return QboFault("10000", "An application error has occurred while processing your request",
                    f"System Failure Error: the service is unavailable (sandbox fault, HTTP {status})",
                    status=status, type="SystemFault")


def gateway_fault(status: int, code: str, message: str, detail: str, kind: str) -> dict[str, Any]:
    """The API gateway's own body for 401 and 429: lower-case keys, as observed (qbo.md §15)."""
    return {"fault": {"error": [{"message": message, "detail": detail, "code": code}], "type": kind}}


def unauthorized(detail: str = "Token expired or invalid") -> dict[str, Any]:
    return gateway_fault(401, "3200", "message=AuthenticationFailed; errorCode=003200; statusCode=401", detail,
                         "AUTHENTICATION")


def throttled(detail: str = "The request limit was reached.") -> dict[str, Any]:
    return gateway_fault(429, "3001", "message=ThrottleExceeded; errorCode=003001; statusCode=429", detail,
                         "SERVICE")


def forbidden(realm_id: str) -> QboFault:
    return QboFault("120", "Authorization Failure",
                    f"AuthorizationFailure: the token is not authorised for company {realm_id}",
                    status=403, type="AuthorizationFault")
