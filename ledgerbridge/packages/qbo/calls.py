"""QuickBooks Online calls as the connector makes them: one request with its Fault read, query pages, reads by
Id, batch writes matched by ``bId`` (with one re-send of updates refused as stale) and the small helpers every
part of the connector shares (quoting for the query language, QBO's timestamps, exact decimals).

HTTP, tokens, budget and retries are the client's job (``qbo.client``); this is what the connector asks of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ledgerbridge.connectors.package_http import PackageHttp
from ledgerbridge.connectors.protocol import CallBudgetSpent, ConnectorCallFailed, ExportOutcome
from ledgerbridge.packages.qbo.errors import STALE_OBJECT, explain, fault_message, parse_fault
from ledgerbridge.packages.qbo.limits import IN_CHUNK

PAGE_SIZE = 1000


def _q(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _when(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _iso(moment: datetime) -> str:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).isoformat(timespec="seconds")


class QboCalls:
    """The connector's calls to one company (``client``: a :class:`~ledgerbridge.packages.qbo.client.QboClient`).

    ``query``, ``by_ids``, ``batch`` and ``write`` are public: the connector's other parts (``qbo.items``,
    ``qbo.payments``) make their calls through them.
    """

    client: PackageHttp

    def _call(self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None,
              key: str | None = None, purpose: str = "") -> dict[str, Any]:
        from ledgerbridge.connectors.budget import BudgetExhausted
        from ledgerbridge.packages.qbo.client import PackageCallError

        try:
            response = self.client.request(method, path, params=params, json_body=body, idempotency_key=key,
                                           purpose=purpose)
        except BudgetExhausted as spent:
            raise CallBudgetSpent(f"QuickBooks' call limit for this company is used up; the rest goes out after "
                                  f"{spent.until:%Y-%m-%d %H:%M} UTC", spent.until) from spent
        except PackageCallError as failure:
            message = str(failure)
            errors = parse_fault(_loads(failure.body))
            if errors:
                message = f"{failure.request_summary}: {fault_message(errors, failure.decision.reason)}"
            # a PackageCallError's decision is a failure: its failure_type is never None
            raise ConnectorCallFailed(message, failure_type=failure.decision.failure_type or "system",
                                      source="network" if failure.status is None else "package",
                                      raw_response=failure.body, outcome_unknown=failure.outcome_unknown) from failure
        data: dict[str, Any] = _loads(response.content)
        errors = parse_fault(data)
        if errors:  # a 200 can still carry a Fault
            failure_type, _ = explain(errors)
            raise ConnectorCallFailed(fault_message(errors, "QuickBooks refused the request"),
                                      failure_type=failure_type, source="package", raw_response=response.text)
        return data

    def query(self, entity: str, where: str = "", order: str = "", purpose: str = "") -> Iterator[list[dict[str, Any]]]:
        """The rows of ``SELECT * FROM entity WHERE ...``, a page (at most ``PAGE_SIZE`` rows) at a time."""
        start = 1
        while True:
            statement = f"SELECT * FROM {entity}" + (f" WHERE {where}" if where else "") + \
                        (f" ORDERBY {order}" if order else "") + f" STARTPOSITION {start} MAXRESULTS {PAGE_SIZE}"
            rows = self._call("GET", "/query", params={"query": statement},
                              purpose=purpose or f"read {entity.lower()}").get("QueryResponse", {}).get(entity, [])
            yield rows
            if len(rows) < PAGE_SIZE:
                return
            start += PAGE_SIZE

    def _query_ahead(self, entity: str, where: str = "", order: str = "", purpose: str = "",
                     enough: Callable[[list[dict[str, Any]]], bool] | None = None) -> Iterator[list[dict[str, Any]]]:
        """``query``, with the next page asked for while the caller works on this one (the read-back of a
        large upload: QuickBooks prepares page n+1 while the engine ticks page n). The same calls as ``query``:
        the next page is asked for only after a full one came back, as ``query`` would, and not at all once
        ``enough(rows)`` says the caller has what it came for (QuickBooks' answers give no count: without it, a
        last page that is full would cost one more read to find the end)."""
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qbo-page")
        try:
            start = 1
            pending: Future[list[dict[str, Any]]] = pool.submit(self._page, entity, where, order, purpose, start)
            while True:
                rows = pending.result()
                if len(rows) < PAGE_SIZE or (enough is not None and enough(rows)):
                    yield rows
                    return
                start += PAGE_SIZE
                pending = pool.submit(self._page, entity, where, order, purpose, start)
                yield rows
        finally:
            pool.shutdown(wait=True)

    def _page(self, entity: str, where: str, order: str, purpose: str, start: int) -> list[dict[str, Any]]:
        statement = f"SELECT * FROM {entity}" + (f" WHERE {where}" if where else "") + \
                    (f" ORDERBY {order}" if order else "") + f" STARTPOSITION {start} MAXRESULTS {PAGE_SIZE}"
        return list(self._call("GET", "/query", params={"query": statement},
                               purpose=purpose or f"read {entity.lower()}").get("QueryResponse", {}).get(entity, []))

    def by_ids(self, entity: str, ids: Sequence[str], purpose: str) -> dict[str, dict[str, Any]]:
        """The rows with these Ids (``Id IN``, ``IN_CHUNK`` at a time), by Id; one missing is not in the answer."""
        out: dict[str, dict[str, Any]] = {}
        ids = list(dict.fromkeys(ids))
        for start in range(0, len(ids), IN_CHUNK):
            where = "Id IN (" + ", ".join(_q(i) for i in ids[start : start + IN_CHUNK]) + ")"
            for page in self.query(entity, where, purpose=purpose):
                out.update({str(row["Id"]): row for row in page})
        return out

    def batch(self, ops: list[tuple[str, str, dict[str, Any]]], key: str, purpose: str,
              options: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
        """Send ``(bId, operation, {Entity: body})`` items in one batch call; answers by bId."""
        items = []
        for bid, operation, payload in ops:
            item: dict[str, Any] = {"bId": bid, "operation": operation, **payload}
            if options and bid in options:
                item["optionsData"] = options[bid]
            items.append(item)
        data = self._call("POST", "/batch", body={"BatchItemRequest": items}, key=key, purpose=purpose)
        return {str(r.get("bId")): r for r in data.get("BatchItemResponse", [])}

    def write(self, ops: list[tuple[str, str, str, dict[str, Any]]], key: str,
              purpose: str) -> dict[str, dict[str, Any]]:
        """``(bId, operation, entity, body)`` in one batch; updates refused as stale (5010) are re-read and sent
        once more with the fresh SyncToken."""
        answers = self.batch([(b, op, {entity: body}) for b, op, entity, body in ops], key, purpose)
        stale = [(b, op, entity, body) for b, op, entity, body in ops if op != "create"
                 and any(e.code == STALE_OBJECT for e in parse_fault(answers.get(b, {})))]
        if stale:
            current: dict[str, dict[str, Any]] = {}
            for entity in {e for _, _, e, _ in stale}:
                current.update(self.by_ids(entity, [str(body["Id"]) for _, _, en, body in stale if en == entity],
                                           purpose="re-read a changed record"))
            again = [(b, op, entity, {**body, "SyncToken": current[str(body["Id"])]["SyncToken"]})
                     for b, op, entity, body in stale if str(body["Id"]) in current]
            if again:
                answers.update(self.batch([(b, op, {entity: body}) for b, op, entity, body in again],
                                          f"{key[:34]}s", purpose))
        return answers


def failed_outcome(sync_id: int, answer: dict[str, Any], what: str) -> ExportOutcome:
    """The outcome of a batch item QuickBooks answered with a Fault, or did not answer at all (``what`` names
    the kind of record in the message)."""
    errors = parse_fault(answer)
    failure_type, hint = explain(errors)
    if not answer:
        failure_type, hint = "system", None
    return ExportOutcome(sync_id, False, message=fault_message(errors, f"QuickBooks did not return this {what}"),
                         hint=hint, failure_type=failure_type, raw_response=json.dumps(answer, default=str))


def _loads(content: bytes | str | None) -> Any:
    if not content:
        return {}
    try:
        return json.loads(content, parse_float=Decimal)
    except ValueError:
        return {}

