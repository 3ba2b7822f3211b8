"""GET-list mechanics: ``where`` filters, ``order``, paging and ``If-Modified-Since``.

``where`` is a subset of Xero's .NET-flavoured filter language, evaluated against the record as it would be
sent (its wire view), so any field a client can read it can filter on:

* comparisons ``==`` (also ``=``), ``!=``, ``>``, ``>=``, ``<``, ``<=`` against strings, numbers, ``true``,
  ``false``, ``null``, ``GUID("...")`` and ``DateTime(2024, 1, 31)``;
* string methods ``Field.Contains("x")``, ``.StartsWith("x")``, ``.EndsWith("x")``;
* ``AND`` / ``&&``, ``OR`` / ``||``, ``NOT`` / ``!`` and parentheses; dotted paths such as ``Contact.Name``.

String comparisons ignore case, as Xero's do.  Anything else is refused with a ``QueryParseException``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from .errors import QueryParseError
from .wire import pagination

T = TypeVar("T")
Predicate = Callable[[dict[str, Any]], bool]

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<number>-?\d+(?:\.\d+)?)|(?P<op>==|!=|>=|<=|&&|\|\||[=<>!(),.])'
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*))"
)
_MS_DATE = re.compile(r"^/Date\((-?\d+)")
_METHODS = {"contains", "startswith", "endswith"}


@dataclass(frozen=True, slots=True)
class _DateValue:
    ms: int


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match:
            raise QueryParseError(f"Unexpected character at position {position} in where clause: {text!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self, offset: int = 0) -> tuple[str, str] | None:
        position = self.index + offset
        return self.tokens[position] if position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise QueryParseError(f"Unexpected end of where clause: {self.text!r}")
        self.index += 1
        return token

    def expect(self, value: str) -> None:
        token = self.take()
        if token[1] != value:
            raise QueryParseError(f"Expected '{value}' but found '{token[1]}' in where clause: {self.text!r}")

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[1].upper() in words

    def parse(self) -> Predicate:
        predicate = self.disjunction()
        leftover = self.peek()
        if leftover is not None:
            raise QueryParseError(f"Unexpected '{leftover[1]}' in where clause: {self.text!r}")
        return predicate

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while self.at_word("OR", "||"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda view: any(p(view) for p in parts))

    def conjunction(self) -> Predicate:
        parts = [self.negation()]
        while self.at_word("AND", "&&"):
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else (lambda view: all(p(view) for p in parts))

    def negation(self) -> Predicate:
        if self.at_word("NOT", "!"):
            self.take()
            inner = self.negation()
            return lambda view: not inner(view)
        if self.at_word("("):
            self.take()
            inner = self.disjunction()
            self.expect(")")
            return inner
        return self.condition()

    def condition(self) -> Predicate:
        kind, name = self.take()
        if kind != "name":
            raise QueryParseError(f"Expected a field name but found '{name}' in where clause: {self.text!r}")
        path = [name]
        while self.at_word("."):
            self.take()
            part = self.take()[1]
            if part.lower() in _METHODS and self.at_word("("):
                self.take()
                argument = self.value()
                self.expect(")")
                return _method(tuple(path), part.lower(), argument)
            path.append(part)
        operator = self.take()[1]
        if operator not in ("==", "=", "!=", ">", ">=", "<", "<="):
            raise QueryParseError(f"Unsupported operator '{operator}' in where clause: {self.text!r}")
        return _comparison(tuple(path), operator, self.value())

    def value(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            return re.sub(r"\\(.)", r"\1", text[1:-1])
        if kind == "number":
            return Decimal(text)
        if kind != "name":
            raise QueryParseError(f"Expected a value but found '{text}' in where clause: {self.text!r}")
        word = text.lower()
        if word in ("true", "false"):
            return word == "true"
        if word == "null":
            return None
        if word == "guid":
            self.expect("(")
            value = self.value()
            self.expect(")")
            return str(value).lower()
        if word in ("datetime", "datetimeoffset"):
            self.expect("(")
            parts = [int(self.value())]
            while self.at_word(","):
                self.take()
                parts.append(int(self.value()))
            self.expect(")")
            if not 3 <= len(parts) <= 6:
                raise QueryParseError(f"DateTime needs 3 to 6 numbers in where clause: {self.text!r}")
            moment = datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type, misc]
            return _DateValue(int(moment.timestamp() * 1000))
        raise QueryParseError(f"Unknown value '{text}' in where clause: {self.text!r}")


def _lookup(view: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = view
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _normalise(value: Any, other: Any) -> Any:
    if isinstance(other, _DateValue) and isinstance(value, str):
        match = _MS_DATE.match(value)
        return int(match.group(1)) if match else None
    if isinstance(value, str):
        return value.casefold()
    return value


def _comparison(path: tuple[str, ...], operator: str, expected: Any) -> Predicate:
    wanted = expected.ms if isinstance(expected, _DateValue) else expected
    if isinstance(wanted, str):
        wanted = wanted.casefold()

    def check(view: dict[str, Any]) -> bool:
        actual = _normalise(_lookup(view, path), expected)
        if operator in ("==", "="):
            return bool(actual == wanted)
        if operator == "!=":
            return bool(actual != wanted)
        if actual is None or wanted is None:
            return False
        try:
            if operator == ">":
                return bool(actual > wanted)
            if operator == ">=":
                return bool(actual >= wanted)
            if operator == "<":
                return bool(actual < wanted)
            return bool(actual <= wanted)
        except TypeError:
            return False

    return check


def _method(path: tuple[str, ...], method: str, argument: Any) -> Predicate:
    needle = str(argument).casefold()

    def check(view: dict[str, Any]) -> bool:
        actual = _lookup(view, path)
        if not isinstance(actual, str):
            return False
        haystack = actual.casefold()
        if method == "contains":
            return needle in haystack
        if method == "startswith":
            return haystack.startswith(needle)
        return haystack.endswith(needle)

    return check


def parse_where(text: str | None) -> Predicate | None:
    if text is None or not text.strip():
        return None
    return _Parser(text).parse()


def parse_order(text: str | None) -> list[tuple[tuple[str, ...], bool]]:
    """``"InvoiceNumber ASC, Date DESC"`` -> [(path, descending), ...]."""
    if text is None or not text.strip():
        return []
    fields: list[tuple[tuple[str, ...], bool]] = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise QueryParseError(f"Cannot read order clause: {text!r}")
        fields.append((tuple(words[0].split(".")), len(words) == 2 and words[1].upper() == "DESC"))
    return fields


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, str):
        match = _MS_DATE.match(value)
        return (1, int(match.group(1))) if match else (2, value.casefold())
    if isinstance(value, bool):
        return (1, int(value))
    return (1, value)


def apply_where_and_order(views: list[dict[str, Any]], where: Predicate | None,
                          order: Sequence[tuple[tuple[str, ...], bool]]) -> list[dict[str, Any]]:
    result = [v for v in views if where(v)] if where else list(views)
    for path, descending in reversed(order):
        result.sort(key=lambda view: _sort_key(_lookup(view, path)), reverse=descending)
    return result


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    size: int


def parse_page(page: str | None, page_size: str | None) -> Page | None:
    """``page`` is 1-based; ``pageSize`` defaults to 100 and is capped at 1000 (Xero, since July 2024)."""
    if page is None or page == "":
        return None
    try:
        number = max(1, int(page))
        size = int(page_size) if page_size else DEFAULT_PAGE_SIZE
    except ValueError:
        raise QueryParseError("page and pageSize must be whole numbers") from None
    return Page(number, min(max(size, 1), MAX_PAGE_SIZE))


def take_page(items: Sequence[T], page: Page | None) -> tuple[Sequence[T], dict[str, int] | None]:
    if page is None:
        return items, None
    start = (page.number - 1) * page.size
    return items[start:start + page.size], pagination(page.number, page.size, len(items))


def modified_since(records: Iterable[T], since: int | None, updated: Callable[[T], int]) -> list[T]:
    """Records changed at or after ``since`` (ms): a poller that keeps the last watermark sees edge records
    twice rather than never."""
    if since is None:
        return list(records)
    return [r for r in records if updated(r) >= since]


def split_list(value: str | None) -> list[str] | None:
    """Comma-separated query lists (``IDs``, ``InvoiceNumbers``, ...), tolerating quotes and spaces."""
    if value is None or not value.strip():
        return None
    return [part.strip().strip('"').strip() for part in value.split(",") if part.strip().strip('"').strip()]
