"""The status codes and messages the sandbox company answers with, worded as QuickBooks words them.

Every ``…Rs`` carries ``statusCode``, ``statusSeverity`` (``Info`` 0-499, ``Warn`` 500-999, ``Error`` from 1000)
and ``statusMessage``; an Error carries no data. Wording comes from Intuit's status-code table (developer.intuit.com,
"Status codes in response messages", and the SDK's OSR error page) and from answers of real QuickBooks quoted in
public integrations (3100, 3140, 3070 and 3210 below, with QuickBooks' two spaces after a sentence); where neither
gives a text the sandbox's own choice is marked "assumed" and listed in README.md.
"""

from __future__ import annotations

__all__ = ["OK", "QbStatus", "severity_of"]


def severity_of(code: int) -> str:
    if code < 500:
        return "Info"
    return "Warn" if code < 1000 else "Error"


class QbStatus(Exception):
    """A request's status; raised by a handler to answer an error (nothing of the request is applied)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"QbStatus({self.code}, {self.message!r})"

    @property
    def severity(self) -> str:
        return severity_of(self.code)

    @property
    def is_error(self) -> bool:
        return self.code >= 1000

    # -- the codes, each with QuickBooks' text ------------------------------------------------------------

    @staticmethod
    def nothing_found() -> QbStatus:
        return QbStatus(1, "A query request did not find a matching object in QuickBooks")

    @staticmethod
    def some_not_found(value: str) -> QbStatus:
        return QbStatus(500, "The query request has not been fully completed. There was a required element "
                             f"(\"{value}\") that could not be found in QuickBooks.")

    @staticmethod
    def no_saved_state() -> QbStatus:
        """600, for error recovery: the message set asked about is not the one QuickBooks kept."""
        return QbStatus(600, "No cleared state to return")

    @staticmethod
    def invalid_id(value: str, field: str) -> QbStatus:
        return QbStatus(3000, f"The given object ID \"{value}\" in the field \"{field}\" is invalid.")

    @staticmethod
    def too_long(value: str, field: str) -> QbStatus:
        return QbStatus(3070, f"The string \"{value}\" in the field \"{field}\" is too long.")

    @staticmethod
    def name_in_use(name: str) -> QbStatus:
        return QbStatus(3100, f"The name \"{name}\" of the list element is already in use.")

    @staticmethod
    def not_found(object_id: str) -> QbStatus:
        return QbStatus(3120, f"Object \"{object_id}\" specified in the request cannot be found.  QuickBooks "
                              "error message: Invalid argument.  The specified record does not exist in the list.")

    @staticmethod
    def invalid_reference(kind: str, value: str, where: str) -> QbStatus:
        return QbStatus(3140, f"There is an invalid reference to QuickBooks {kind} \"{value}\" in the {where}.  "
                              "QuickBooks error message: Invalid argument.  The specified record does not exist in "
                              "the list.")

    @staticmethod
    def modify_refused(object_name: str, detail: str) -> QbStatus:
        """3170 (assumed detail): a Mod, void or delete QuickBooks will not make."""
        return QbStatus(3170, f"There was an error when modifying a {object_name}.  QuickBooks error message: "
                              f"{detail}")

    @staticmethod
    def save_refused(object_name: str, detail: str) -> QbStatus:
        """3180 (assumed detail): an Add QuickBooks will not save."""
        return QbStatus(3180, f"There was an error when saving a {object_name}.  QuickBooks error message: {detail}")

    @staticmethod
    def stale_edit_sequence(edit_sequence: str) -> QbStatus:
        return QbStatus(3200, f"The provided edit sequence \"{edit_sequence}\" is out-of-date.")

    @staticmethod
    def invalid_value(field: str, value: str, detail: str) -> QbStatus:
        return QbStatus(3210, f"The \"{field}\" field has an invalid value \"{value}\".  QuickBooks error message: "
                              f"{detail}")

    @staticmethod
    def macro_already_defined(macro: str) -> QbStatus:
        return QbStatus(9101, f"The macro \"{macro}\" is already defined in this message set.")  # assumed wording

    @staticmethod
    def macro_not_defined(macro: str) -> QbStatus:
        return QbStatus(9102, f"The macro \"{macro}\" is not defined.")  # assumed wording


OK = QbStatus(0, "Status OK")
