"""Measure the sandbox's write throughput: 200 ``PUT /Invoices?summarizeErrors=false`` of 50 invoices x 5 lines.

Run: ``.venv/bin/python tests/sandboxes/bench_put_invoices.py [--process] [--read-back] [requests]
[invoices_per_request]``.

Prints the wall time of the requests only (the sandbox is started and the bodies built before the clock
starts), over loopback with one keep-alive httpx client and rate limits off.  By default the sandbox runs in
a thread of this process, as the test suite runs it, so client and server share one interpreter lock;
``--process`` serves it from a process of its own, as ``ledgerbridge bench`` does.  ``--read-back`` then
reads every invoice back as the connector does (``summaryOnly=true``, 1000 a page, with If-Modified-Since) and
prints that time too.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from ledgerbridge.packages.xero.sandbox import DEFAULT_TENANT_ID, SandboxConfig, start_xero_sandbox


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


@contextmanager
def threaded_sandbox() -> Iterator[str]:
    with start_xero_sandbox(SandboxConfig(rate_limits_enabled=False)) as sandbox:
        yield sandbox.base_url


@contextmanager
def process_sandbox() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = ("from ledgerbridge.packages.xero.sandbox import SandboxConfig, serve_xero_sandbox; "
            f"serve_xero_sandbox(SandboxConfig(port={port}, rate_limits_enabled=False))")
    server = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/sandbox/stats", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield base
    finally:
        server.terminate()
        server.wait(10)


def read_back(client: httpx.Client) -> tuple[float, int, int]:
    """(seconds, pages, invoices) for reading every invoice back, summarised, a thousand at a time."""
    since = {"If-Modified-Since": "2000-01-01T00:00:00+00:00"}
    started = time.perf_counter()
    page, seen = 1, 0
    while True:
        response = client.get("/Invoices", params={"summaryOnly": "true", "page": page, "pageSize": 1000},
                              headers=since)
        response.raise_for_status()
        body = response.json()
        seen += len(body["Invoices"])
        if page >= body["pagination"]["pageCount"]:
            return time.perf_counter() - started, page, seen
        page += 1


def main(requests: int = 200, size: int = 50, own_process: bool = False, read_back_too: bool = False) -> float:
    with (process_sandbox() if own_process else threaded_sandbox()) as base:
        token = httpx.post(f"{base}/sandbox/tokens").json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": DEFAULT_TENANT_ID}
        bodies = [invoice_batch(i, size) for i in range(requests)]
        with httpx.Client(base_url=f"{base}/api.xro/2.0", headers=headers, timeout=30) as client:
            started = time.perf_counter()
            for body in bodies:
                response = client.put("/Invoices", params={"summarizeErrors": "false"}, json=body)
                response.raise_for_status()
            elapsed = time.perf_counter() - started
            stats = httpx.get(f"{base}/sandbox/stats").json()
            reading = read_back(client) if read_back_too else None
    where = "its own process" if own_process else "a thread"
    print(f"{requests} x PUT /Invoices ({size} invoices x 5 lines, sandbox in {where}): {elapsed:.2f} s "
          f"({elapsed / requests * 1000:.1f} ms per request); sandbox counted {stats['accounting_total']} calls")
    if reading is not None:
        seconds, pages, seen = reading
        print(f"read back {seen} invoices (summaryOnly, {pages} pages of up to 1000): {seconds:.2f} s")
    return elapsed


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:] if not a.startswith("--")]
    main(numbers[0] if numbers else 200, numbers[1] if len(numbers) > 1 else 50,
         own_process="--process" in sys.argv[1:], read_back_too="--read-back" in sys.argv[1:])
