"""Remove secrets from anything we log, keep in an error or write to the audit trail (R-E10, R-A1).

The audit trail and the error feedback keep the package's raw request and response so a bookkeeper can
see what happened, which means they are one careless ``str(response)`` away from holding live tokens.
Everything headed for storage goes through :func:`redact`, which works in two ways:

* by **shape**: values of secret-bearing keys (``access_token``, ``refresh_token``, ``client_secret``,
  ``code``, ``password``, ...) in dicts, JSON text, Python reprs and form/query strings; ``Bearer``/
  ``Basic`` credentials; host API keys (``lb_...``);
* by **value**: :func:`register_secret` records secrets we know (the tokens we currently hold, a
  connection's client secret), which are then scrubbed wherever they appear in free text, such as an
  error message that quotes a URL.

Hand-written because the logging-filter libraries redact log records only, and we need the same rules
for dicts, JSON text and exception messages. The value registry is bounded (least recently registered
values go first) so a long-running worker that rotates tokens every 30 minutes does not grow it without end.

``redact`` returns the same type it was given; types it does not understand come back unchanged.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, TypeVar

__all__ = ["REDACTED", "forget_secret", "redact", "redact_text", "register_secret"]

REDACTED = "[REDACTED]"
T = TypeVar("T")

#: Keys whose values are secret whatever their case (``Authorization`` header, ``Client_Secret``...).
_SECRET_KEYS_ANY_CASE = frozenset({
    "access_token", "refresh_token", "id_token", "client_secret", "code_verifier", "password",
    "passwd", "authorization", "proxy-authorization", "api_key", "apikey", "x-api-key", "api-key",
    "client_assertion", "cookie", "set-cookie", "secret", "token", "assertion",
    "client_secret_enc", "access_token_enc", "refresh_token_enc",
})
#: ``code`` is the OAuth authorization code only in lower case: Xero's ``Code``/``AccountCode`` are data.
_SECRET_KEYS_EXACT = frozenset({"code"})

_KEY_ALTERNATION = "|".join(
    sorted((re.escape(k) for k in _SECRET_KEYS_ANY_CASE | _SECRET_KEYS_EXACT), key=len, reverse=True))

# "key": "value"  or  'key': 'value'  (JSON and Python reprs). The closing quote is optional so that a
# value cut off by truncation is still removed.
_QUOTED_PAIR = re.compile(
    r"""(?P<q>["'])(?P<key>""" + _KEY_ALTERNATION + r""")(?P=q)(?P<sep>\s*[:=]\s*)"""
    r"""(?P<vq>["'])(?P<val>(?:\\.|(?!(?P=vq)).)*)""",
    re.IGNORECASE | re.DOTALL,
)
# key=value in form bodies, query strings and log lines.
_FORM_PAIR = re.compile(
    r"(?<![A-Za-z0-9_\-])(?P<key>" + _KEY_ALTERNATION + r")=(?P<val>[^&\s\"',;]+)", re.IGNORECASE)
# Authorization: Bearer xxx / Basic xxx, in headers or free text.
_CREDENTIAL = re.compile(r"\b(?P<scheme>Bearer|Basic)(?P<sp>\s+)[A-Za-z0-9._~+/=\-]{4,}", re.IGNORECASE)
# A header line whose scheme we do not recognise: "Authorization: xyz".
_AUTH_HEADER = re.compile(r"(?im)^(?P<key>(?:proxy-)?authorization|x-api-key|cookie)(?P<sep>\s*:\s*)(?P<val>.+)$")
# Host API keys.
_API_KEY = re.compile(r"\blb_[A-Za-z0-9_\-]{8,}")

#: Substrings (of the lower-cased text) without which no secret-bearing key can be present.
_KEY_HINTS = ("token", "secret", "passw", "authoriz", "api_key", "apikey", "api-key", "cookie", "assertion",
              '"code"', "'code'", "code_verifier")

_MIN_SECRET_LENGTH = 8
_MAX_REGISTERED = 256


def _is_secret_key(key: str) -> bool:
    return key in _SECRET_KEYS_EXACT or key.lower() in _SECRET_KEYS_ANY_CASE


class _SecretRegistry:
    """Known secret values, most recently registered last.

    Matching is a plain substring test per value: CPython's ``in`` scans 20 KB in about 2 us, which beats
    a compiled alternation (tried at every position) by far for the few dozen values a worker holds.
    """

    def __init__(self) -> None:
        self._values: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._snapshot: tuple[str, ...] = ()

    def add(self, value: str) -> None:
        if len(value) < _MIN_SECRET_LENGTH:
            return
        with self._lock:
            if value in self._values:
                self._values.move_to_end(value)
                return
            self._values[value] = None
            while len(self._values) > _MAX_REGISTERED:
                self._values.popitem(last=False)
            self._snapshot = tuple(sorted(self._values, key=len, reverse=True))  # longest first

    def discard(self, value: str) -> None:
        with self._lock:
            if self._values.pop(value, 0) is None:
                self._snapshot = tuple(sorted(self._values, key=len, reverse=True))

    def scrub(self, text: str) -> str:
        for value in self._snapshot:
            if value in text:
                text = text.replace(value, REDACTED)
        return text


_registry = _SecretRegistry()


def register_secret(value: str | None) -> None:
    """Scrub this exact value wherever it appears from now on (values shorter than 8 characters are ignored)."""
    if value:
        _registry.add(value)


def forget_secret(value: str | None) -> None:
    if value:
        _registry.discard(value)


def _keep_key_mask_value(match: re.Match[str]) -> str:
    text = match.group(0)
    if not _is_secret_key(match.group("key")):
        return text
    start, end = match.span("val")
    offset = match.start()
    if start == end:
        return text  # an empty value hides nothing
    return text[: start - offset] + REDACTED + text[end - offset:]


def _mask_header_value(match: re.Match[str]) -> str:
    if REDACTED in match.group("val"):
        return match.group(0)  # already "Bearer [REDACTED]": keep the scheme, it helps debugging
    return match.group("key") + match.group("sep") + REDACTED


def redact_text(text: str) -> str:
    """Remove secrets from free text, JSON, form bodies and header dumps."""
    if not text:
        return text
    text = _registry.scrub(text)
    # The patterns are tried at every position, so each runs only when a cheap substring test says it may match.
    lowered = text.lower()
    if "bearer" in lowered or "basic" in lowered:
        text = _CREDENTIAL.sub(lambda m: m.group("scheme") + m.group("sp") + REDACTED, text)
    # QuickBooks' "SyncToken", on every record it answers, matches no pattern (a key must follow its opening quote
    # at once, and it is no header), so it is left out of the test: its answers skip the patterns' passes.
    hinted = lowered.replace("synctoken", "") if "synctoken" in lowered else lowered
    if any(hint in hinted for hint in _KEY_HINTS):
        text = _QUOTED_PAIR.sub(_keep_key_mask_value, text)
        if "=" in text:
            text = _FORM_PAIR.sub(_keep_key_mask_value, text)
        if ":" in text:
            text = _AUTH_HEADER.sub(_mask_header_value, text)
    elif "code=" in lowered:
        text = _FORM_PAIR.sub(_keep_key_mask_value, text)
    if "lb_" in text:
        text = _API_KEY.sub("lb_" + REDACTED, text)
    return text


def redact(value: T) -> T:
    """A copy of ``value`` (str, bytes, dict, list, tuple, or any mapping) with secrets removed."""
    return _redact(value)  # type: ignore[no-any-return]


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, (bytes, bytearray)):
        redacted = redact_text(bytes(value).decode("utf-8", errors="replace")).encode("utf-8")
        return type(value)(redacted)
    if isinstance(value, Mapping):
        cleaned = {k: (REDACTED if isinstance(k, str) and _is_secret_key(k) and v not in (None, "")
                       else _redact(v)) for k, v in value.items()}
        return cleaned if isinstance(value, dict) and type(value) is dict else _rebuild_mapping(value, cleaned)
    if isinstance(value, list):
        return [_redact(v) for v in value]
    if isinstance(value, tuple):
        if len(value) == 2 and isinstance(value[0], str) and _is_secret_key(value[0]):
            return (value[0], REDACTED)  # a header pair
        items = [_redact(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    return value


def _rebuild_mapping(original: Mapping[Any, Any], cleaned: dict[Any, Any]) -> Any:
    factory: Any = type(original)
    try:
        return factory(cleaned)
    except Exception:  # a mapping type we cannot build from a dict: hand back a plain dict
        return cleaned
