"""A tiny stand-in for MYOB's API and token endpoint, served through ``httpx.MockTransport``: just enough for the
client tier's tests (headers, 403 rate limits, 504s, 401 refresh, rotating refresh tokens, NextPageLink), until
the MYOB sandbox (``ledgerbridge.packages.myob.sandbox``, its own engineer's) serves the end-to-end tests.

It answers as myob.md says MYOB does: lists ``{"Items","NextPageLink","Count"}``, POST 201 + ``Location``, errors
``{"Errors":[{Name,Message,AdditionalDetails,ErrorCode,Severity,LearnMore}]}``."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

BASE = "http://myob.test"
BUSINESS = "6f8d2a0e-1111-4c2b-9a55-000000000001"
CLIENT_ID = "myob-key-123"
CLIENT_SECRET = "myob-secret-456"


def error(status: int, name: str, message: str, details: str = "") -> tuple[int, dict[str, Any]]:
    return status, {"Errors": [{"Name": name, "Message": message, "AdditionalDetails": details, "ErrorCode": None,
                                "Severity": "Error", "LearnMore": None}], "Information": None}


RATE_LIMITED = error(403, "RateLimitError", "API key has exceeded the per-second rate limit", "Header: x-myobapi-key")
DAY_LIMITED = error(403, "RateLimitError", "API key has exceeded the daily rate limit", "Header: x-myobapi-key")
GATEWAY_TIMEOUT = error(504, "GatewayTimeout", "Connection to the API has timed out")


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class TinyMyob:
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    script: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # answers to give first, in order
    calls: list[Call] = field(default_factory=list)
    token_calls: list[dict[str, str]] = field(default_factory=list)
    access_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    page_size: int = 2
    conflicts: int = 0  # PUTs to answer 409 (the record changed in MYOB meanwhile)
    refuse_deletes: bool = False

    def issue_tokens(self) -> dict[str, Any]:
        access, refresh = secrets.token_hex(8), secrets.token_hex(8)
        self.access_tokens.add(access)
        self.refresh_tokens.add(refresh)
        return {"access_token": access, "refresh_token": refresh, "token_type": "bearer", "expires_in": 1200,
                "scope": "sme-sales"}

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/oauth2/v1/authorize":
            return self._token(request)
        prefix = f"/accountright/{BUSINESS}/"
        body = json.loads(request.content) if request.content else None
        self.calls.append(Call(request.method, path, dict(request.url.params), dict(request.headers), body))
        if self.script:
            status, payload = self.script.pop(0)
            return httpx.Response(status, json=payload)
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.access_tokens:
            return httpx.Response(401, json=error(401, "OAuthTokenIsInvalid", "The access token is invalid")[1])
        if request.headers.get("x-myobapi-key") != CLIENT_ID:
            return httpx.Response(403, json=error(403, "DeveloperInactive", "API key is missing or inactive")[1])
        route = path.removeprefix(prefix).rstrip("/")
        if route == "":
            return httpx.Response(200, json={"CompanyFile": {"Id": BUSINESS, "Name": "Clearwater Plumbing",
                                                            "Country": "AU"}, "Resources": []})
        if request.method == "POST":
            record = {**(body or {}), "UID": str(uuid.uuid4()), "RowVersion": "1"}
            if route.startswith(("Sale/Invoice", "Purchase/Bill")):  # a computed total (tax left out: enough here)
                record["TotalAmount"] = record["BalanceDueAmount"] = sum(float(ln["Total"]) for ln in record["Lines"])
                record["Lines"] = [{**ln, "RowID": n + 1, "RowVersion": "1"} for n, ln in enumerate(record["Lines"])]
            self.records.setdefault(route, []).append(record)
            answer = record if request.url.params.get("returnBody") == "true" else None
            return httpx.Response(201, headers={"Location": f"{BASE}{prefix}{route}/{record['UID']}"}, json=answer)
        head, _, uid = route.rpartition("/")
        found = next((r for r in self.records.get(head, []) if r["UID"] == uid), None)
        if found is not None:
            if request.method == "GET":
                return httpx.Response(200, json=found)
            if request.method == "DELETE":
                if self.refuse_deletes:  # Company/Preferences TransactionsCannotBeChangedMustBeReversed
                    status, refusal = error(400, "TransactionsCannotBeDeleted", "Transactions cannot be deleted")
                    refusal["Errors"][0]["ErrorCode"] = 25003
                    return httpx.Response(status, json=refusal)
                self.records[head].remove(found)
                return httpx.Response(200)
            if self.conflicts:  # someone saves the record in MYOB between our read and our PUT
                self.conflicts -= 1
                found["RowVersion"] = str(int(found["RowVersion"]) + 1)
            if body.get("RowVersion") != found["RowVersion"]:
                return httpx.Response(409, json=error(409, "IncorrectRowVersionSupplied", "RowVersion is stale")[1])
            found.clear()
            found.update({**body, "RowVersion": str(int(body["RowVersion"]) + 1)})
            return httpx.Response(200, json=found)
        rows = [r for r in self.records_of(route) if self._matches(r, request.url.params.get("$filter"))]
        skip, top = int(request.url.params.get("$skip", 0)), min(int(request.url.params.get("$top", 400)),
                                                                 self.page_size)
        page = rows[skip : skip + top]
        following = None
        if skip + top < len(rows):
            query = dict(parse_qsl(request.url.query.decode()))
            query.update({"$skip": str(skip + top), "$top": str(top)})
            following = str(httpx.URL(f"{BASE}{path}", params=query))
        return httpx.Response(200, json={"Items": page, "NextPageLink": following, "Count": len(rows)})

    def records_of(self, prefix: str) -> list[dict[str, Any]]:
        """Every record on the routes under ``prefix`` (``Sale/Invoice``: every layout)."""
        return [r for route, rows in self.records.items() if route.startswith(prefix) for r in rows]

    def _matches(self, record: dict[str, Any], where: str | None) -> bool:
        """``F eq 'v'``, ``UID eq guid'v'`` and ``substringof('v', F) eq true``, joined by ``or``; or
        ``LastModified gt datetime'v'`` alone."""
        if not where:
            return True
        stamp = re.fullmatch(r"LastModified gt datetime'(.*)'", where)
        if stamp is not None:
            return str(record.get("LastModified") or "") > stamp.group(1)
        for term in where.split(" or "):
            flag = re.fullmatch(r"(\w+) eq (true|false)", term)
            if flag is not None:
                if bool(record.get(flag.group(1))) == (flag.group(2) == "true"):
                    return True
                continue
            found = re.fullmatch(r"(\w+) eq (?:guid)?'(.*)'", term) or re.fullmatch(
                r"substringof\('(.*)', (\w+)\) eq true", term)
            if found is None:
                raise AssertionError(f"the tiny MYOB does not read {term!r}")
            if term.startswith("substringof"):
                if found.group(1).replace("''", "'") in str(record.get(found.group(2)) or ""):
                    return True
            elif str(record.get(found.group(1))) == found.group(2).replace("''", "'"):
                return True
        return False

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode()))
        self.token_calls.append(form)
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return httpx.Response(401, json={"error": "invalid_client"})
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return httpx.Response(400, json={"error": "invalid_request"})  # MYOB's answer (SDK issue #192)
            self.refresh_tokens.discard(form["refresh_token"])  # rotates: the old one is spent
            return httpx.Response(200, json=self.issue_tokens())
        return httpx.Response(200, json=self.issue_tokens())
