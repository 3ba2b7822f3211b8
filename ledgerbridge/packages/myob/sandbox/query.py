"""MYOB's OData v3 reads: ``$filter``, ``$orderby``, ``$top``/``$skip`` and ``NextPageLink``.

The filter language is what the research note's §4 lists: ``eq ne gt ge lt le``, ``and or not``, parentheses,
string literals (``''`` escapes a quote), ``guid'…'``, ``datetime'…'``, numbers, ``true``/``false``/``null``,
navigation (``Customer/UID``), and ``startswith``, ``endswith``, ``substringof`` (case-sensitive), ``tolower``,
``toupper``. Lambdas (``any``/``all``) are refused with a 400 naming them, rather than misread.

Values compare as MYOB stores them: dates as their ``YYYY-MM-DDTHH:MM:SS`` text (which orders like the dates),
GUIDs without regard to case, amounts as decimals, enums by member name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from . import errors
from .wire import myob_time, parse_time

Record = dict[str, Any]
Predicate = Callable[[Record], Any]

_TOKEN = re.compile(r"""\s*(?:(?P<guid>guid'(?P<g>[^']*)')|(?P<dt>datetime'(?P<d>[^']*)')|(?P<str>'(?P<s>(?:[^']|'')*)')
    |(?P<num>-?\d+(?:\.\d+)?[mMdD]?)|(?P<punct>[(),])|(?P<word>[A-Za-z_][A-Za-z0-9_]*(?:/[A-Za-z_][A-Za-z0-9_]*)*))""",
                    re.VERBOSE)
_COMPARE = {"eq", "ne", "gt", "ge", "lt", "le"}
_FUNCTIONS = {"startswith", "endswith", "substringof", "tolower", "toupper"}


def bad_query(message: str) -> errors.MyobError:
    return errors.validation("ODataQueryError", f"The query specified in the URI is not valid. {message}", "$filter")


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    value: Any


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise bad_query(f"Syntax error at position {position} in '{text}'.")
        position = match.end()
        if match.group("guid") is not None:
            out.append(_Tok("lit", match.group("g").lower()))
        elif match.group("dt") is not None:
            moment = parse_time(match.group("d"))
            if moment is None:
                raise bad_query(f"Unrecognized 'Edm.DateTime' literal 'datetime'{match.group('d')}''.")
            out.append(_Tok("lit", myob_time(moment)))
        elif match.group("str") is not None:
            out.append(_Tok("lit", match.group("s").replace("''", "'")))
        elif match.group("num") is not None:
            out.append(_Tok("lit", Decimal(match.group("num").rstrip("mMdD"))))
        elif match.group("punct") is not None:
            out.append(_Tok(match.group("punct"), None))
        else:
            word = match.group("word")
            if word in ("true", "false"):
                out.append(_Tok("lit", word == "true"))
            elif word == "null":
                out.append(_Tok("lit", None))
            elif word in _COMPARE or word in ("and", "or", "not"):
                out.append(_Tok(word, None))
            else:
                out.append(_Tok("word", word))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, kind: str) -> _Tok:
        token = self.peek()
        if token is None or token.kind != kind:
            raise bad_query(f"Expected '{kind}' at token {self.at}.")
        self.at += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.or_()
        if self.peek() is not None:
            raise bad_query(f"Unexpected token at {self.at}.")
        return predicate

    def or_(self) -> Predicate:
        left = self.and_()
        while (token := self.peek()) is not None and token.kind == "or":
            self.at += 1
            left = _either(left, self.and_())
        return left

    def and_(self) -> Predicate:
        left = self.not_()
        while (token := self.peek()) is not None and token.kind == "and":
            self.at += 1
            left = _both(left, self.not_())
        return left

    def not_(self) -> Predicate:
        token = self.peek()
        if token is not None and token.kind == "not":
            self.at += 1
            inner = self.not_()
            return lambda r: not inner(r)
        return self.compare()

    def compare(self) -> Predicate:
        left = self.operand()
        token = self.peek()
        if token is None or token.kind not in _COMPARE:
            return left
        self.at += 1
        right = self.operand()
        operator = token.kind
        return lambda r: _compare(operator, left(r), right(r))

    def operand(self) -> Predicate:
        token = self.peek()
        if token is None:
            raise bad_query("Unexpected end of expression.")
        self.at += 1
        if token.kind == "(":
            inner = self.or_()
            self.take(")")
            return inner
        if token.kind == "lit":
            value = token.value
            return lambda r: value
        if token.kind != "word":
            raise bad_query(f"Unexpected '{token.kind}'.")
        name = str(token.value)
        following = self.peek()
        if following is not None and following.kind == "(":
            return self.function(name)
        if "/any" in name or "/all" in name:
            raise bad_query(f"Lambda expressions are not supported by this sandbox ({name}).")
        parts = name.split("/")
        return lambda r: _navigate(r, parts)

    def function(self, name: str) -> Predicate:
        if name not in _FUNCTIONS:
            raise bad_query(f"Unknown function '{name}'.")
        self.take("(")
        args = [self.or_()]
        while (token := self.peek()) is not None and token.kind == ",":
            self.at += 1
            args.append(self.or_())
        self.take(")")
        expected = 1 if name in ("tolower", "toupper") else 2
        if len(args) != expected:
            raise bad_query(f"'{name}' takes {expected} argument(s).")
        if name == "tolower":
            return lambda r: _text(args[0](r)).lower()
        if name == "toupper":
            return lambda r: _text(args[0](r)).upper()
        first, second = args
        if name == "startswith":
            return lambda r: _text(first(r)).startswith(_text(second(r)))
        if name == "endswith":
            return lambda r: _text(first(r)).endswith(_text(second(r)))
        return lambda r: _text(first(r)) in _text(second(r))  # substringof(needle, haystack)


def _either(first: Predicate, second: Predicate) -> Predicate:
    return lambda r: bool(first(r)) or bool(second(r))


def _both(first: Predicate, second: Predicate) -> Predicate:
    return lambda r: bool(first(r)) and bool(second(r))


def _sorter(parts: list[str]) -> Callable[[Record], tuple[int, Any]]:
    return lambda r: _sort_key(_navigate(r, parts))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _navigate(record: Any, parts: list[str]) -> Any:
    for part in parts:
        if not isinstance(record, dict):
            return None
        record = record.get(part)
    return record


_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _norm(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, str) and _GUID.match(value):
        return value.lower()
    return value


def _compare(operator: str, left: Any, right: Any) -> bool:
    left, right = _norm(left), _norm(right)
    if operator == "eq":
        return bool(left == right)
    if operator == "ne":
        return bool(left != right)
    if left is None or right is None or type(left) is not type(right):
        return False
    if operator == "gt":
        return bool(left > right)
    if operator == "ge":
        return bool(left >= right)
    if operator == "lt":
        return bool(left < right)
    return bool(left <= right)


def compile_filter(text: str) -> Predicate:
    return _Parser(text).parse()


def order(records: list[Record], text: str) -> list[Record]:
    """``$orderby=Date desc,Number``: a stable sort per key, last key first; nulls first, as SQL sorts them."""
    keys = [part.split() for part in text.split(",") if part.strip()]
    for words in reversed(keys):
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise bad_query(f"Invalid $orderby '{text}'.")
        parts = words[0].split("/")
        descending = len(words) == 2 and words[1].lower() == "desc"
        records = sorted(records, key=_sorter(parts), reverse=descending)
    return records


def _sort_key(value: Any) -> tuple[int, Any]:
    value = _norm(value)
    if value is None:
        return (0, "")
    if isinstance(value, bool | Decimal):
        return (1, value)
    return (2, str(value))


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Record]
    count: int
    next_link: str | None


def read(records: list[Record], params: dict[str, str], base: str, default_top: int, max_top: int) -> Page:
    """Filter, order and cut one page; ``base`` is the request's URL without its query (for NextPageLink)."""
    if params.get("$filter"):
        predicate = compile_filter(params["$filter"])
        records = [r for r in records if predicate(r)]
    if params.get("$orderby"):
        records = order(records, params["$orderby"])
    top = _int_option(params, "$top", default_top)
    skip = _int_option(params, "$skip", 0)
    top = min(top, max_top)  # assumed: MYOB clamps a larger $top to its maximum rather than refusing it
    page = records[skip:skip + top]
    next_link = None
    if skip + top < len(records):
        query = {k: v for k, v in params.items() if k not in ("$top", "$skip")}
        query.update({"$top": str(top), "$skip": str(skip + top)})
        next_link = f"{base}?{urlencode(query)}"
    return Page(page, len(records), next_link)


def _int_option(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise errors.validation("ODataQueryError", f"The value of {name} must be a non-negative integer", name)
    return int(raw)
