"""QuickBooks Online in the conformance suite: its sandbox, Intuit's XSD check and its books as a QBO user sees them.

:class:`QboWorld` also keeps the helpers the QBO-only tests (``tests/qbo``) use: ``api``, ``query`` and ``pay`` by
Invoice Id.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any, ClassVar

import httpx
from contract_checks.qbo_transport import QboSchemaTransport

from ledgerbridge.packages.qbo.sandbox import RunningSandbox, SandboxConfig, start_qbo_sandbox

from .harness import PackageHarness, PackageWorld, RemoteDoc

ENTITIES = {"Invoice": "sales_invoice", "CreditMemo": "sales_credit_note", "Bill": "purchase_invoice",
            "VendorCredit": "purchase_credit_note"}
_LINE_DETAILS = ("SalesItemLineDetail", "ItemBasedExpenseLineDetail")
_ACCOUNT_DETAILS = (*_LINE_DETAILS, "AccountBasedExpenseLineDetail")


class QboContract:
    """Intuit's XSDs (Finance.xsd and friends) on every JSON body of one test, both ways."""

    def __init__(self) -> None:
        self._transport = QboSchemaTransport()

    def transport(self) -> httpx.BaseTransport:
        return self._transport

    @property
    def exchanges_checked(self) -> int:
        return self._transport.checker.exchanges_checked

    def assert_clean(self) -> None:
        violations = self._transport.violations
        assert violations == [], "exchanges break the QBO schema:\n" + "\n".join(violations)
        assert self.exchanges_checked > 0, "the QBO schema check saw no traffic: is the transport wired in?"


def _state(doc: dict[str, Any]) -> str:
    total = Decimal(str(doc.get("TotalAmt", 0)))
    if str(doc.get("PrivateNote") or "").startswith("Voided") and total == 0:
        return "voided"  # how QBO shows a voided invoice: zeroed, with the note
    balance = doc.get("Balance", doc.get("RemainingCredit"))
    return "paid" if balance is not None and Decimal(str(balance)) == 0 and total else "open"


class QboWorld(PackageWorld):
    @property
    def realm_id(self) -> str:
        return self.tenant_id

    def access_token(self) -> str:
        from ledgerbridge.packages.qbo.auth import fresh_access_token

        return fresh_access_token(self.sessions, self.conn_id, transport=self.transport)[0]

    def api(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """QBO's books as a QBO user sees them (through the schema check too)."""
        with httpx.Client(transport=self.transport, timeout=10) as http:
            answer = http.request(method, f"{self.base_url}/v3/company/{self.realm_id}{path}",
                                  params={"minorversion": "75", **kwargs.pop("params", {})},
                                  headers={"Authorization": f"Bearer {self.access_token()}",
                                           "Accept": "application/json"}, **kwargs)
            answer.raise_for_status()
            return answer.json()  # type: ignore[no-any-return]

    def query(self, statement: str) -> list[dict[str, Any]]:
        entity = statement.split(" FROM ")[1].split()[0]
        return self.api("GET", "/query", params={"query": statement})["QueryResponse"].get(entity, [])

    def pay(self, invoice_id: str, amount: str, date: str = "2026-11-02") -> dict[str, Any]:
        """"Receive payment" on the sandbox's books page, as a QBO user would."""
        answer = self.admin("POST", f"/companies/{self.realm_id}/payments", json={
            "amount": amount, "allocations": [{"invoice_id": invoice_id, "amount": amount}], "date": date,
            "reference": "BACS"})
        answer.raise_for_status()
        return answer.json()  # type: ignore[no-any-return]

    def pay_bill(self, bill: dict[str, Any], amount: Decimal) -> dict[str, Any]:
        """"Pay bills" (the books page takes customer payments only, so through the API, as QBO's UI does)."""
        value = float(amount)  # a JSON number, as the schema wants (two decimals survive the float round trip)
        return self.api("POST", "/billpayment", params={"requestid": f"bp-{bill['Id']}-{amount}"}, json={
            "VendorRef": bill["VendorRef"], "PayType": "Check", "TotalAmt": value, "TxnDate": "2026-11-03",
            "CheckPayment": {"BankAccountRef": {"value": "5"}},
            "Line": [{"Amount": value, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}]})["BillPayment"]

    def _raw(self, number: str) -> tuple[str, dict[str, Any]]:
        for entity in ENTITIES:
            rows = self.query(f"SELECT * FROM {entity} WHERE DocNumber = '{number}'")
            if rows:
                assert len(rows) == 1, f"{len(rows)} copies of {number} in QuickBooks"
                return entity, rows[0]
        raise AssertionError(f"{number} is not in QuickBooks")

    def remote_documents(self) -> list[RemoteDoc]:
        docs = []
        for entity, doc_type in ENTITIES.items():
            for doc in self.query(f"SELECT * FROM {entity} MAXRESULTS 1000"):
                lines = [ln for ln in doc.get("Line", []) if ln.get("DetailType") in _LINE_DETAILS]
                refs = {ln[ln["DetailType"]].get("ItemRef", {}).get("value") for ln in lines} - {None}
                party = doc.get("CustomerRef") or doc.get("VendorRef") or {}
                docs.append(RemoteDoc(
                    number=doc["DocNumber"], doc_type=doc_type, external_id=str(doc["Id"]),
                    total=Decimal(str(doc["TotalAmt"])), state=_state(doc),
                    first_line=lines[0].get("Description") if lines else None,
                    item_codes=frozenset(code for code, ident in self.remote_items().items() if ident in refs)
                    if refs else frozenset(), party_id=party.get("value"),
                    line_accounts=tuple(_line_account(ln[ln["DetailType"]]) for ln in doc.get("Line", [])
                                        if ln.get("DetailType") in _ACCOUNT_DETAILS)))
        return docs

    def remote_parties(self) -> dict[str, str]:
        return {p["DisplayName"]: str(p["Id"]) for entity in ("Customer", "Vendor")
                for p in self.query(f"SELECT * FROM {entity} MAXRESULTS 1000")}

    def remote_items(self) -> dict[str, str]:
        return {i["Sku"]: str(i["Id"]) for i in self.query("SELECT * FROM Item MAXRESULTS 1000") if i.get("Sku")}

    def record_payment(self, number: str, amount: Decimal) -> str:
        entity, doc = self._raw(number)
        if entity == "Bill":
            return str(self.pay_bill(doc, amount)["Id"])
        return str(self.pay(doc["Id"], str(amount))["Payment"]["Id"])

    def delete_payment(self, payment_id: str) -> None:
        payment = self.api("GET", f"/payment/{payment_id}")["Payment"]
        self.api("POST", "/payment", params={"operation": "delete", "requestid": f"del-{payment_id}"},
                 json={"Id": payment["Id"], "SyncToken": payment["SyncToken"]})

    def edit_total(self, number: str) -> None:
        entity, doc = self._raw(number)
        assert entity == "Invoice"
        lines = [ln for ln in doc["Line"] if ln.get("DetailType") == "SalesItemLineDetail"]
        extra = {k: v for k, v in lines[0].items() if k not in ("Id", "LineNum")} | {"Description": "Added in QBO"}
        self.api("POST", "/invoice", params={"requestid": f"edit-{doc['Id']}"}, json={
            "Id": doc["Id"], "SyncToken": doc["SyncToken"], "sparse": True, "Line": [*lines, extra]})


class QboHarness(PackageHarness):
    kind = "qbo"
    label = "QuickBooks Online"
    # QBO voids invoices (zeroed, "Voided" note); credit memos, bills and vendor credits have no void and are
    # deleted (ledgerbridge/packages/qbo/connector.py, export_documents).
    void_outcome: ClassVar[dict[str, str]] = {"sales_invoice": "voided", "sales_credit_note": "deleted",
                                              "purchase_invoice": "deleted"}
    spare_income_account = "4010"
    world_class = QboWorld

    def start_sandbox(self) -> AbstractContextManager[RunningSandbox]:
        # QBO's 429 carries no Retry-After as far as is known (the client then waits 60 s); the suite's sandbox
        # adds one so that throttling is exercised without a minute's sleep.
        return start_qbo_sandbox(SandboxConfig(rate_limits_enabled=False, retry_after_seconds=1))

    def reset(self, sandbox: RunningSandbox) -> None:
        with httpx.Client(base_url=f"{sandbox.base_url}/sandbox", timeout=10) as admin:
            admin.post("/reset", json={"tokens": True}).raise_for_status()
            admin.post("/rate-limits", json={"enabled": False, "reset_windows": True}).raise_for_status()

    def contract(self) -> QboContract:
        return QboContract()


QBO = QboHarness()


def _line_account(detail: dict[str, Any]) -> str | None:
    """A bill line's account, or a sales line's item (which carries its income account)."""
    ref = detail.get("AccountRef") or detail.get("ItemRef") or {}
    return str(ref["value"]) if "value" in ref else None
