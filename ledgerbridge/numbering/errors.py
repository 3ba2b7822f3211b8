"""What numbering refuses, naming the field and the record, so the API answers 422 and the CLI prints it."""

from __future__ import annotations


class NumberingRefused(ValueError):
    """A numbering request that cannot be honoured as sent; nothing was written."""

    def __init__(self, record: str, field: str, message: str) -> None:
        super().__init__(f"{record}: {field} {message}")
        self.record = record
        self.field = field
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"record": self.record, "field": self.field, "message": self.message}
