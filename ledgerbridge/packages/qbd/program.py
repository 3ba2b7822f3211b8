"""The Web Connector played against the sandbox's company, as the demo and the bench drive it
(``connectors.spec.PolledProgram``): each update is one session of the simulator (``sandbox.web_connector``) with our
SOAP service, QuickBooks being the company the sandbox serves.

The real Web Connector waits 5 seconds after a "NoOp" (our service had no message yet, the engine still working);
here that pause is the caller's (``pause_seconds``): the demo and the bench want the program to ask again at once,
as a Web Connector that never sleeps would, so that what they measure is our side.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ledgerbridge.packages.qbd.sandbox.web_connector import NOOP_PAUSE_SECONDS, WebConnectorSimulator

__all__ = ["Pause", "SimulatedWebConnector", "bench_program_args", "simulate"]


class Pause:
    """The simulator's clock: the pause after a NoOp lasts ``seconds`` instead of the Web Connector's 5; the
    schedule's waits between updates are as asked."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def sleep(self, seconds: float) -> None:
        wait = self.seconds if seconds == NOOP_PAUSE_SECONDS else seconds
        if wait > 0:
            threading.Event().wait(wait)


class SimulatedWebConnector:
    """A :class:`WebConnectorSimulator` on the connection's .qwc, its application added (the support page fetched)."""

    def __init__(self, qwc: bytes, password: str, company: Any, pause_seconds: float) -> None:
        country = str(getattr(getattr(company, "config", None), "flavour", "US"))
        self.simulator = WebConnectorSimulator(qwc, password, company, country=country, clock=Pause(pause_seconds),
                                               max_round_trips=1_000_000)
        self.simulator.add_application()

    def update(self) -> str:
        result = self.simulator.update_selected()
        if result.outcome == "error" and result.calls[-1:] == ["closeConnection"]:
            # The service ended the session through getLastError (its "nothing more to send"): the Web Connector
            # shows that message; the session's work is done either way.
            return "done"
        if result.outcome not in ("done", "none"):
            raise RuntimeError(f"the Web Connector's update ended {result.outcome}: {result.message}")
        return result.outcome

    def counts(self) -> Mapping[str, int]:
        log = self.simulator.log
        return {"round_trips": log.round_trips, "request_bytes": log.qbxml_bytes, "calls": log.calls,
                "sessions": log.sessions, "noops": log.noops}

    def close(self) -> None:
        self.simulator.close()


def simulate(qwc: bytes, password: str, sandbox: Any, pause_seconds: float) -> SimulatedWebConnector:
    """The Web Connector on ``qwc`` against the company the running sandbox serves (``sandbox.company``)."""
    return SimulatedWebConnector(qwc, password, sandbox.company, pause_seconds)


def bench_program_args(qwc: Path, password: str) -> list[str]:
    """``ledgerbridge sandbox qbd`` options for the bench: the UK company (the demo's codes map there), its Web
    Connector on ``qwc`` updating continuously (every 50 ms when idle) and asking again at once after a NoOp.
    The password is the bench's own, for a connection in a throwaway database."""
    return ["--flavour", "UK", "--qwc", str(qwc), "--password", password, "--every", "0.05", "--pause", "0"]
