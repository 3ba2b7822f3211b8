"""Guards against gross slowdowns; the figure itself comes from ``bench_put_invoices.py``.

The bounds are loose on purpose (the test machine is shared), but each one fails on the regressions it
was written for: a 40 ms delayed-ACK stall per response, or per-element work that grows with the books.
"""

from __future__ import annotations

import time

import httpx

from .bench_put_invoices import invoice_batch


def test_small_calls_do_not_wait_for_delayed_acks(api: httpx.Client) -> None:
    api.get("/Organisation")
    started = time.perf_counter()
    for _ in range(20):
        api.get("/Organisation")
    assert (time.perf_counter() - started) / 20 < 0.02


def test_batch_writes_stay_fast_as_the_books_grow(api: httpx.Client) -> None:
    started = time.perf_counter()
    for request in range(20):
        response = api.put("/Invoices", params={"summarizeErrors": "false"}, json=invoice_batch(request, 50))
        assert response.status_code == 200
    elapsed = time.perf_counter() - started
    assert elapsed < 4.0, f"20 x 50-invoice PUTs took {elapsed:.2f} s"
    assert len(api.get("/Invoices").json()["Invoices"]) == 1000
