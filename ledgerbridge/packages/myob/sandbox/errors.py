"""MYOB's errors: ``{"Errors":[{Name, Message, AdditionalDetails, ErrorCode, Severity, LearnMore}],
"Information": ...}`` with the HTTP status that goes with each, in one place.

Names, codes and texts follow the project's research note on MYOB (§7, from developer.myob.com's error-code and
error-message pages and the SDK's ``Error.cs``); texts it does not quote are MYOB's usual wording, listed as
assumptions in README.md. pymyob parses the 403 body to tell a rate limit from other refusals, so every error,
including 401/403/405/504, carries this JSON body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LEARN_MORE = "https://developer.myob.com/api/myob-business-api/api-overview/error-codes/"


@dataclass
class ErrorItem:
    name: str
    message: str
    details: str = ""
    code: int | None = None
    severity: str = "Error"

    def body(self) -> dict[str, Any]:
        return {"Name": self.name, "Message": self.message, "AdditionalDetails": self.details,
                "ErrorCode": self.code, "Severity": self.severity, "LearnMore": LEARN_MORE}


@dataclass
class MyobError(Exception):
    """A refused request: ``status`` and the error items of its body."""

    status: int
    items: list[ErrorItem] = field(default_factory=list)
    information: str = ""

    def body(self) -> dict[str, Any]:
        info = self.information or "Warning, error messages have not been finalised in this release and may change"
        return {"Errors": [item.body() for item in self.items], "Information": info}


def _one(status: int, name: str, message: str, details: str = "", code: int | None = None) -> MyobError:
    return MyobError(status, [ErrorItem(name, message, details, code)])


def required(field_name: str) -> MyobError:
    return _one(400, "Required", f"{field_name} is required", field_name, 100)


def not_found_ref(field_name: str, uid: str) -> MyobError:
    """A foreign key naming nothing (a bad UID in a link object): 400 with code 150."""
    return _one(400, "NotFound", f"The {field_name} specified could not be found", f"{field_name}.UID={uid}", 150)


def serialization(message: str, details: str = "") -> MyobError:
    return _one(400, "SerializationError", message, details, 50)


def validation(name: str, message: str, details: str = "", code: int | None = None) -> MyobError:
    """A business rule (an amount over the balance, a date outside the year, a number too long)."""
    return _one(400, name, message, details, code)


def too_long(field_name: str, limit: int) -> MyobError:
    return _one(400, "ValueTooLong", f"{field_name} cannot be longer than {limit} characters", field_name, 102)


def unknown_field(field_name: str, type_name: str) -> MyobError:
    """A property the contract does not have: Json.NET (MissingMemberHandling.Error) refuses it."""
    return serialization(f"Could not find member '{field_name}' on object of type '{type_name}'", field_name)


def record_missing(route: str, uid: str) -> MyobError:
    return _one(404, "NotFound", "The requested resource could not be found", f"{route}/{uid}", 150)


def route_missing(path: str) -> MyobError:
    return _one(404, "ResourceNotFound", "The requested resource was not found", path)


def business_missing(business_id: str) -> MyobError:
    return _one(404, "CompanyFileNotFound", "The company file specified could not be found", business_id)


def put_missing(route: str, uid: str) -> MyobError:
    return _one(404, "NotFound", "PUT only supports update operations", f"{route}/{uid}", 150)


def method_not_allowed(method: str, route: str) -> MyobError:
    return _one(405, "MethodNotAllowed", f"The requested resource does not support http method '{method}'", route)


def row_version(uid: str) -> MyobError:
    return _one(409, "IncorrectRowVersionSupplied", "The supplied RowVersion does not match the current version",
                f"UID={uid}", 103)


def uid_on_post(field_name: str) -> MyobError:
    return _one(409, "IdentifierNotAllowed", f"{field_name} must not be supplied when creating a record", field_name)


def cannot_delete() -> MyobError:
    return _one(400, "TransactionsCannotBeDeleted",
                "Transactions cannot be changed or deleted, they must be reversed (Company preferences)", "", 25003)


def cannot_change() -> MyobError:
    return _one(400, "TransactionsCannotBeChanged",
                "Transactions cannot be changed or deleted, they must be reversed (Company preferences)", "", 25003)


def before_financial_year(field_name: str, start: str) -> MyobError:
    return _one(400, "DateBeforeFinancialYear", f"{field_name} cannot be before the start of the financial year "
                f"({start})", field_name, 25008)


def unauthorized() -> MyobError:
    return _one(401, "OAuthTokenIsInvalid", "The supplied OAuth token (Bearer) is not valid", "Header: Authorization")


def developer_inactive() -> MyobError:
    return _one(403, "DeveloperInactive", "API key is missing or inactive", "Header: x-myobapi-key")


def version_missing() -> MyobError:
    return _one(400, "ApiVersionMissing", "The x-myobapi-version header must be v2", "Header: x-myobapi-version")


def access_denied(business_id: str) -> MyobError:
    return _one(403, "AccessDenied", "The token was not issued for this company file", business_id)


def scope_missing(scope: str) -> MyobError:
    return _one(403, "InsufficientScope", f"The access token does not grant the scope {scope}", f"Scope: {scope}")


def rate_limited(window: str = "per-second") -> MyobError:
    return _one(403, "RateLimitError", f"API key has exceeded the {window} rate limit", "Header: x-myobapi-key")


def gateway_timeout() -> MyobError:
    return _one(504, "GatewayTimeout", "Connection to the API has timed out", "")


def server_error(status: int) -> MyobError:
    return _one(status, "InternalError", "An unexpected error occurred on the server", "")
