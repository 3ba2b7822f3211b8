"""The failures the sandbox reports as Xero does, each knowing its HTTP status and body.

Routes raise these; one exception handler (see :mod:`.gateway`) turns them into responses, so that every
endpoint fails in the same Xero-shaped way.  Per-element validation failures are *not* exceptions: a batch
keeps going after a bad element, so those travel as lists of messages (see :mod:`.batch`).
"""

from __future__ import annotations

from typing import Any


class XeroApiError(Exception):
    """Base class: ``status`` and a JSON (or text) ``body`` ready to send."""

    status = 400

    def body(self) -> Any:
        raise NotImplementedError


class PostDataInvalid(XeroApiError):
    """The body could not be read as the expected document (Xero's ErrorNumber 14); nothing is saved."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> Any:
        return {"ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": self.message}


class QueryParseError(XeroApiError):
    """A ``where`` or ``order`` the sandbox cannot read (Xero's ErrorNumber 16)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> Any:
        return {"ErrorNumber": 16, "Type": "QueryParseException", "Message": self.message}


class NotFound(XeroApiError):
    """Xero answers an unknown id with a bare text body, not JSON (XeroAPI/Xero-OpenAPI#163)."""

    status = 404

    def body(self) -> Any:
        return "The resource you're looking for cannot be found"


class ValidationFailed(XeroApiError):
    """A summarised batch failure: HTTP 400 listing only the failed elements (ErrorNumber 10)."""

    def __init__(self, elements: list[dict[str, Any]]) -> None:
        super().__init__("A validation exception occurred")
        self.elements = elements

    def body(self) -> Any:
        return {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": self.elements,
        }


class Unauthorized(XeroApiError):
    """Missing, unknown or expired access token."""

    status = 401

    def __init__(self, detail: str = "AuthenticationUnsuccessful") -> None:
        super().__init__(detail)
        self.detail = detail

    def body(self) -> Any:
        return {
            "Type": None,
            "Title": "Unauthorized",
            "Status": 401,
            "Detail": self.detail,
            "Instance": None,
            "Extensions": {},
        }


class Forbidden(XeroApiError):
    """A valid token, but the ``xero-tenant-id`` is missing or not connected to this app."""

    status = 403

    def __init__(self, detail: str = "AuthorizationUnsuccessful") -> None:
        super().__init__(detail)
        self.detail = detail

    def body(self) -> Any:
        return {
            "Type": None,
            "Title": "Forbidden",
            "Status": 403,
            "Detail": self.detail,
            "Instance": None,
            "Extensions": {},
        }
