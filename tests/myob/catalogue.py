"""A small reading of MYOB's type catalogue (``specs/myob/myob-sdk-contracts.json``) for the mapper's tests: the
fields a body may carry, by type, through base classes and generic parameters, and each field's enum or link.

Until the sandbox's catalogue checker (``tests/contract_checks/myob.py``, the sandbox engineer's) checks every
exchange, the mapper's bodies are held to this; it reports unknown fields, wrong JSON kinds and unknown enum names.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

SPEC = Path(__file__).resolve().parents[2] / "specs" / "myob" / "myob-sdk-contracts.json"
NUMBERS = {"decimal", "double", "int", "long", "short", "float"}


@cache
def catalogue() -> dict[str, Any]:
    return json.loads(SPEC.read_text())  # type: ignore[no-any-return]


def _key(name: str) -> str | None:
    keys = catalogue()["by_name"].get(name.split("<")[0]) or []
    return keys[0] if keys else None


def fields(type_key: str, generics: dict[str, str] | None = None) -> dict[str, str]:
    """Field -> C# type of a catalogue type, its bases' fields included (generic parameters filled in)."""
    generics = generics or {}
    spec = catalogue()["types"][type_key]
    out: dict[str, str] = {}
    for base in spec.get("base") or []:
        base_key = _key(base)
        if base_key is None:
            continue
        params = re.findall(r"<(.+)>", catalogue()["types"][base_key]["name"])
        args = re.findall(r"<(.+)>", base)
        sub = dict(generics)
        if params and args:
            sub[params[0]] = generics.get(args[0], args[0])
        out.update(fields(base_key, sub))
    for prop in spec.get("properties") or []:
        kind = prop["type"]
        for name, value in generics.items():
            kind = re.sub(rf"\b{name}\b", value, kind)
        out[prop.get("json") or prop["name"]] = kind
    return out


def violations(type_name: str, body: Any, where: str = "") -> list[str]:
    """What in ``body`` the catalogue's type ``type_name`` does not allow."""
    kind = type_name.rstrip("?")
    listed = re.fullmatch(r"(?:IEnumerable<(.+)>|(.+)\[\])", kind)
    if listed:
        if not isinstance(body, list):
            return [f"{where}: expected a list"]
        return [v for n, item in enumerate(body) for v in violations(listed.group(1) or listed.group(2), item,
                                                                       f"{where}[{n}]")]
    if kind in NUMBERS:
        return [] if isinstance(body, (int, Decimal, float)) and not isinstance(body, bool) else [
            f"{where}: expected a number, got {body!r}"]
    if kind == "bool":
        return [] if isinstance(body, bool) else [f"{where}: expected true/false"]
    if kind in ("string", "Guid", "DateTime", "Uri"):
        if not isinstance(body, str):
            return [f"{where}: expected a string"]
        if kind == "DateTime" and not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", body):
            return [f"{where}: {body!r} is not MYOB's YYYY-MM-DDTHH:MM:SS"]
        return []
    key = _key(kind)
    if key is None:
        return []  # a type the catalogue does not describe: nothing to hold it to
    spec = catalogue()["types"][key]
    if spec["kind"] == "enum":
        names = {m["name"] for m in spec["members"]}
        return [] if body in names else [f"{where}: {body!r} is not one of {sorted(names)}"]
    if not isinstance(body, dict):
        return [f"{where}: expected an object"]
    known = fields(key)
    out = []
    for name, value in body.items():
        if name not in known:
            out.append(f"{where}.{name}: not a field of {kind}")
        elif value is not None:
            out += violations(known[name], value, f"{where}.{name}")
    return out
