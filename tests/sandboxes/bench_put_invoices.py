"""Measure the sandbox's write throughput: 200 ``PUT /Invoices?summarizeErrors=false`` of 50 invoices x 5 lines.

Run: ``.venv/bin/python tests/sandboxes/bench_put_invoices.py [requests] [invoices_per_request]``.
Prints the wall time of the requests only (the sandbox is started before the clock starts), over loopback
with one keep-alive httpx client, rate limits off, as ledgerbridge's benchmark runs it.
"""

from __future__ import annotations

import sys
import time

import httpx

from ledgerbridge.sandboxes.xero import DEFAULT_TENANT_ID, SandboxConfig, start_xero_sandbox


def invoice_batch(request_index: int, size: int) -> dict[str, object]:
    invoices = []
    for n in range(size):
        invoices.append({
            "Type": "ACCREC",
            "Contact": {"Name": f"Customer {n % 20}"},
            "InvoiceNumber": f"B-{request_index:04d}-{n:03d}",
            "Reference": f"SO-{request_index}-{n}",
            "Date": "2026-07-01",
            "DueDate": "2026-07-31",
            "Status": "AUTHORISED",
            "LineItems": [
                {"Description": f"Item {k}", "Quantity": 1 + k, "UnitAmount": "12.34", "AccountCode": "200",
                 "TaxType": "OUTPUT2"}
                for k in range(5)
            ],
        })
    return {"Invoices": invoices}


def main(requests: int = 200, size: int = 50) -> float:
    with start_xero_sandbox(SandboxConfig(rate_limits_enabled=False)) as sandbox:
        token = httpx.post(f"{sandbox.base_url}/sandbox/tokens").json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": DEFAULT_TENANT_ID}
        bodies = [invoice_batch(i, size) for i in range(requests)]
        with httpx.Client(base_url=sandbox.api_url, headers=headers, timeout=30) as client:
            started = time.perf_counter()
            for body in bodies:
                response = client.put("/Invoices", params={"summarizeErrors": "false"}, json=body)
                response.raise_for_status()
            elapsed = time.perf_counter() - started
        stats = httpx.get(f"{sandbox.base_url}/sandbox/stats").json()
    print(f"{requests} x PUT /Invoices ({size} invoices x 5 lines): {elapsed:.2f} s "
          f"({elapsed / requests * 1000:.1f} ms per request); sandbox counted {stats['accounting_total']} calls")
    return elapsed


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
