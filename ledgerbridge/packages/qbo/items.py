"""The items QuickBooks Online sales lines name, found or made as the connector builds a document.

QBO posts a sales line to its item's income account (the line has no account of its own), so every mapped income
account needs an item: the line's own item (by Sku) when "push lines as items" is on and it posts there, else one
"Sales to account X" item per account. A rounding line (``qbo.mapper.rounding_line``) names the service item
"Rounding", whose income account is the settings' rounding account. Each is made the first time a document needs
it, in a call of its own, and one an earlier run made before its answer was lost is found by name.
"""

from __future__ import annotations

import threading
import uuid
from typing import TYPE_CHECKING, Any

from ledgerbridge.connectors.protocol import ConnectorCallFailed
from ledgerbridge.packages.qbo.errors import fault_message, parse_fault
from ledgerbridge.packages.qbo.mapper import ROUNDING_ITEM, ref

if TYPE_CHECKING:
    from ledgerbridge.packages.qbo.connector import QboConnector


def _q(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class LineItems:
    """One connector's item look-ups and creations, cached for its life (one run)."""

    def __init__(self, connector: QboConnector) -> None:
        self.connector = connector
        self._lock = threading.Lock()
        self._sales: dict[str, str] | None = None  # income account Id -> item Id
        self._skus: dict[str, dict[str, Any] | None] = {}  # item code -> QBO item (lines as items)
        self._rounding: dict[str, str] = {}  # rounding account Id -> the "Rounding" item posting there

    def sales_item(self, account_id: str, item_code: str | None = None) -> str:
        """An item that posts to this income account: the line's own item (by Sku) when it posts there, else one
        item per account."""
        if item_code:
            own = self._item_by_sku(item_code)
            if own is not None and str((own.get("IncomeAccountRef") or {}).get("value")) == account_id:
                return str(own["Id"])
        with self._lock:
            if self._sales is None:
                self._sales = {}
                for page in self.connector.query("Item", "Active = true", purpose="read items"):
                    for item in page:
                        acc = (item.get("IncomeAccountRef") or {}).get("value")
                        if acc and item.get("Type") in ("Service", "NonInventory"):
                            self._sales.setdefault(str(acc), str(item["Id"]))
            if account_id not in self._sales:
                name = f"Sales to account {self.connector.account_code(account_id)}"
                item = self._create({"Name": name, "Type": "Service", "IncomeAccountRef": ref(account_id)},
                                    "a sales item")
                self._sales[account_id] = str(item["Id"])
            return self._sales[account_id]

    def rounding_item(self, account_id: str) -> str:
        """The service item "Rounding" posting to the rounding account. If the company's own "Rounding" item
        posts elsewhere, ours is named after the account ("Rounding 8600") instead."""
        with self._lock:
            if account_id not in self._rounding:
                code = self.connector.account_code(account_id)
                names = (ROUNDING_ITEM, f"{ROUNDING_ITEM} {code}")
                for name in names:
                    found = self._named(name) or self._create(
                        {"Name": name, "Type": "Service", "IncomeAccountRef": ref(account_id)}, "a rounding item")
                    if str((found.get("IncomeAccountRef") or {}).get("value")) == account_id:
                        self._rounding[account_id] = str(found["Id"])
                        break
                else:
                    raise ConnectorCallFailed(
                        f"QuickBooks items {' and '.join(repr(n) for n in names)} post to other accounts than the "
                        f"rounding account {code}: rename one of them in QuickBooks", failure_type="config",
                        source="package")
            return self._rounding[account_id]

    def _item_by_sku(self, code: str) -> dict[str, Any] | None:
        with self._lock:
            if code not in self._skus:
                rows = [i for page in self.connector.query("Item", f"Sku = {_q(code)}", purpose="look up an item")
                        for i in page if i.get("Active", True)]
                self._skus[code] = rows[0] if rows else None
            return self._skus[code]

    def _named(self, name: str) -> dict[str, Any] | None:
        return next((i for page in self.connector.query("Item", f"Name = {_q(name)}", purpose="look up an item")
                     for i in page if i.get("Active", True)), None)

    def _create(self, body: dict[str, Any], what: str) -> dict[str, Any]:
        answer = self.connector.batch([("1", "create", {"Item": body})], uuid.uuid4().hex, f"create {what}")["1"]
        item = answer.get("Item") or self._named(str(body["Name"]))  # made by an earlier run
        if item is None:
            raise ConnectorCallFailed(fault_message(parse_fault(answer), "QuickBooks did not create the item"),
                                      failure_type="config", source="package")
        return item
