"""The sandbox's speed is measured by ``bench_put_invoices.py`` and ``ledgerbridge bench``, which print figures;
these tests only check the mechanisms those figures depend on, without timing anything."""

from __future__ import annotations

import socket

import httpx

from .bench_put_invoices import invoice_batch


def test_connections_to_the_sandbox_turn_off_nagle() -> None:
    """A listening socket made without IPPROTO_TCP keeps Nagle on for every accepted connection, and each small
    answer then waits ~40 ms for a delayed ACK. The sandbox's server socket must be a TCP one."""
    from ledgerbridge.sandboxes import serving as server

    listener = server.make_listening_socket("127.0.0.1", 0)  # the function start_xero_sandbox uses
    try:
        assert listener.proto == socket.IPPROTO_TCP
    finally:
        listener.close()


def test_batch_writes_keep_every_invoice(api: httpx.Client) -> None:
    for request in range(20):
        response = api.put("/Invoices", params={"summarizeErrors": "false"}, json=invoice_batch(request, 50))
        assert response.status_code == 200
    assert len(api.get("/Invoices").json()["Invoices"]) == 1000
