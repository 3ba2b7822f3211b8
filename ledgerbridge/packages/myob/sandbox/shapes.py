"""The generated :mod:`.fields` tables read into lookups: a type's properties and what each holds."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .fields import ENUMS, ROUTE_TYPES, TYPES


@dataclass(frozen=True, slots=True)
class Prop:
    kind: str  # str guid dec int bool dt uri any | enum | object
    ref: str = ""
    array: bool = False


@cache
def props(type_key: str) -> dict[str, Prop]:
    out: dict[str, Prop] = {}
    for word in TYPES[type_key].split():
        name, _, shape = word.partition(":")
        array = shape.startswith("[]")
        kind, _, ref = shape.removeprefix("[]").partition("=")
        out[name] = Prop(kind, ref, array)
    return out


@cache
def members(enum_key: str) -> frozenset[str]:
    return frozenset(ENUMS[enum_key].split())


def route_type(route: str) -> str:
    return ROUTE_TYPES[route]
