"""The query language subset a connector uses:

``SELECT * | COUNT(*) FROM Entity [WHERE f op v [AND ...]] [ORDERBY|ORDER BY f [ASC|DESC]] [STARTPOSITION n]
[MAXRESULTS n]`` with ``=``, ``<``, ``>``, ``<=``, ``>=``, ``IN (...)`` and ``LIKE`` ('%' only). Entity names are
case-sensitive; keywords are not. String comparison is case-insensitive (assumed). Dotted fields reach into
objects (``MetaData.LastUpdatedTime``); a reference field compares its ``value``. Name lists return active records
only unless the WHERE clause mentions ``Active``. Every field is filterable here (QBO restricts some).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from . import errors
from .common import NAME_LISTS
from .service import ENTITIES
from .store import Company, Record
from .wire import parse_time

MAX_RESULTS = 1000
DEFAULT_RESULTS = 100
_STATEMENT = re.compile(
    r"^\s*SELECT\s+(?P<what>\*|COUNT\(\s*\*\s*\))(?:\s*,\s*[\w.]+)*\s+FROM\s+(?P<entity>\w+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?"
    r"(?:\s+ORDER\s*BY\s+(?P<order>[\w.]+)(?:\s+(?P<direction>ASC|DESC))?)?"
    r"(?:\s+STARTPOSITION\s+(?P<start>\d+))?"
    r"(?:\s+MAXRESULTS\s+(?P<max>\d+))?\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_CONDITION = re.compile(r"^\s*(?P<field>[\w.]+)\s*(?P<op><=|>=|!=|=|<|>|\bIN\b|\bLIKE\b)\s*(?P<value>.+?)\s*$",
                        re.IGNORECASE | re.DOTALL)
_TOKEN = re.compile(r"'(?:\\.|[^'\\])*'|[^\s,()]+")


@dataclass
class Query:
    entity: str
    count: bool
    conditions: list[tuple[str, str, list[Any]]] = field(default_factory=list)
    order: str | None = None
    descending: bool = False
    start: int = 1
    max_results: int = DEFAULT_RESULTS


def parse(text: str) -> Query:
    match = _STATEMENT.match(text or "")
    if match is None:
        raise errors.query_parse(f"Encountered an unexpected token in \"{(text or '').strip()[:200]}\"")
    entity = match.group("entity")
    if entity not in ENTITIES:
        raise errors.query_parse(f"Invalid entity name: {entity}")
    query = Query(entity, match.group("what").upper() != "*")
    if match.group("where"):
        for part in _split_and(match.group("where")):
            query.conditions.append(_condition(part))
    if match.group("order"):
        query.order = match.group("order")
        query.descending = (match.group("direction") or "").upper() == "DESC"
    if match.group("start"):
        query.start = max(1, int(match.group("start")))
    if match.group("max"):
        query.max_results = int(match.group("max"))
        if query.max_results > MAX_RESULTS:
            raise errors.query_invalid(f"value {query.max_results} is too large. Max allowed value is {MAX_RESULTS}")
    return query


def _split_and(where: str) -> list[str]:
    """Split on AND outside quoted strings (quoted strings are masked first); OR is refused like QBO does."""
    strings: list[str] = []

    def stash(match: re.Match[str]) -> str:
        strings.append(match.group(0))
        return f"\x00{len(strings) - 1}\x00"

    masked = re.sub(r"'(?:\\.|[^'\\])*'", stash, where)
    if re.search(r"\sOR\s", masked, re.IGNORECASE):
        raise errors.query_parse("OR is not supported")
    parts = re.split(r"\s+AND\s+", masked, flags=re.IGNORECASE)
    return [re.sub("\x00(\\d+)\x00", lambda m: strings[int(m.group(1))], part) for part in parts if part.strip()]


def _condition(text: str) -> tuple[str, str, list[Any]]:
    match = _CONDITION.match(text)
    if match is None:
        raise errors.query_parse(f"Encountered an unexpected condition \"{text.strip()}\"")
    op = match.group("op").upper()
    raw = match.group("value").strip()
    if op == "!=":
        raise errors.query_parse("Operator != is not supported")
    if op == "IN":
        if not (raw.startswith("(") and raw.endswith(")")):
            raise errors.query_parse("IN needs a parenthesised list")
        values = [_literal(token) for token in _TOKEN.findall(raw[1:-1])]
    else:
        values = [_literal(raw)]
    return match.group("field"), op, values


def _literal(token: str) -> Any:
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] == "'":
        return token[1:-1].replace("\\'", "'")
    if token.lower() in ("true", "false"):
        return token.lower() == "true"
    try:
        return Decimal(token)
    except InvalidOperation:
        raise errors.query_parse(f"Encountered \"{token}\": strings must be in single quotes") from None


def _field(record: Record, path: str) -> Any:
    value: Any
    if "." not in path:  # the usual case (Id, DocNumber, Active): one lookup
        value = record.get(path)
    else:
        value = record
        for part in path.split("."):
            if not isinstance(value, dict):
                return None
            value = value.get(part)
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    return value


@functools.lru_cache(maxsize=1 << 16)
def _time(text: str) -> datetime:
    """``parse_time``, remembered: a page of a ``MetaData.LastUpdatedTime`` query compares every stored stamp
    with the same probe, and the read-back after an upload asks for ten such pages."""
    return parse_time(text)


def _comparable(value: Any, probe: Any) -> Any:
    if isinstance(probe, bool) or isinstance(value, bool):
        return value
    if isinstance(probe, Decimal) or isinstance(value, Decimal | int):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    if isinstance(value, str) and isinstance(probe, str) and "T" in probe and len(probe) > 10:
        try:
            return _time(value)
        except ValueError:
            return value.casefold()
    return value.casefold() if isinstance(value, str) else value


def _matches(record: Record, path: str, op: str, values: list[Any], probe_key: Any = None) -> bool:
    """Whether the record's field satisfies ``op`` against any of ``values``.

    The answer depends on the field's value and the condition only, so it is remembered by (value, condition)
    when ``probe_key`` (the condition's values with their types: ``True`` and ``1`` compare equal but do not match
    alike) is given: the read-back after an upload asks ten pages of one query, each a pass over every record."""
    actual = _field(record, path)
    if actual is None:
        return False
    if probe_key is not None and isinstance(actual, str | Decimal | int):
        return _value_matches_cached((actual, type(actual), probe_key), actual, op, values)
    return _value_matches(actual, op, values)


_CACHE: dict[Any, bool] = {}  # (value, its type, condition) -> matches; emptied when full
_CACHE_MAX = 1 << 17


def _value_matches_cached(key: Any, actual: Any, op: str, values: list[Any]) -> bool:
    try:
        found = _CACHE.get(key)
    except TypeError:  # a value that cannot be hashed (a signalling NaN): worked out, not remembered
        return _value_matches(actual, op, values)
    if found is None:
        found = _value_matches(actual, op, values)
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = found
    return found


def _value_matches(actual: Any, op: str, values: list[Any]) -> bool:
    for probe in values:
        left = _comparable(actual, probe)
        right: Any = probe
        if isinstance(left, datetime):
            right = _time(probe)
        elif isinstance(left, Decimal) and isinstance(probe, str):
            try:
                right = Decimal(probe)
            except InvalidOperation:
                return False
        elif isinstance(probe, str):
            right = probe.casefold()
        if op in ("=", "IN") and left == right:
            return True
        if op == "LIKE" and isinstance(left, str) and isinstance(right, str):
            pattern = "^" + ".*".join(re.escape(piece) for piece in right.split("%")) + "$"
            if re.match(pattern, left, re.DOTALL):
                return True
        try:
            if (op == "<" and left < right) or (op == ">" and left > right) or \
                    (op == "<=" and left <= right) or (op == ">=" and left >= right):
                return True
        except TypeError:
            return False
    return False


def run(company: Company, text: str, books: Mapping[str, list[Record]] | None = None) -> dict[str, Any]:
    """The ``QueryResponse`` object for one statement (an empty page is ``{}``). ``books``, where it holds the
    queried entity, is read instead of the company's records (a batch's query sees the books at its start)."""
    query = parse(text)
    source = books[query.entity] if books is not None and query.entity in books else company.all(query.entity)
    try:
        conditions = [(f, op, values, (op, tuple((v, type(v)) for v in values))) for f, op, values in query.conditions]
        rows = [record for record in source
                if all(_matches(record, f, op, values, key) for f, op, values, key in conditions)]
    except ValueError as exc:
        raise errors.query_invalid(f"invalid value: {exc}") from None
    if query.entity in NAME_LISTS and not any(f == "Active" for f, _, _ in query.conditions):
        rows = [row for row in rows if row.get("Active", True)]
    if query.count:
        return {"totalCount": len(rows)}
    key = query.order or "Id"

    def sort_key(record: Record) -> tuple[int, Decimal, str]:
        value = _field(record, key)
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return (0, Decimal(value), "")
        if isinstance(value, str) and value.isdigit():
            return (0, Decimal(value), "")
        return (1, Decimal(0), str(value if value is not None else "").casefold())

    rows.sort(key=sort_key, reverse=query.descending)
    page = rows[query.start - 1:query.start - 1 + query.max_results]
    if not page:
        return {}
    return {query.entity: page, "startPosition": query.start, "maxResults": len(page)}
