"""A request refused for a reason its sender can fix: the field at fault, the sentence that says what to do, and
the status the API answers with (the screens show the sentence). Pure: no I/O."""

from __future__ import annotations


class Refused(ValueError):
    default_status = 422

    def __init__(self, field: str, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.status_code = status_code if status_code is not None else self.default_status
