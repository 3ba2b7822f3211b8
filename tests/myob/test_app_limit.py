"""MYOB counts 8 calls a second per API key across every business: a 403 ``RateLimitError`` met by one connection
holds back every connection of the key (the app's window, ``connectors.app_budget``), not the refused one alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledgerbridge.connectors.app_budget import LocalAppWindow, app_scope
from ledgerbridge.connectors.budget import CallBudget
from ledgerbridge.packages.myob.client import MyobClient
from ledgerbridge.packages.myob.limits import MYOB_LIMITS
from ledgerbridge.packages.registry import spec_for

from .conftest import BUSINESS, Db, Myob, add_connection
from .test_client import FakeClock


def _client(db: Db, conn_id: int, myob: Myob, clock: FakeClock, window: LocalAppWindow) -> MyobClient:
    budget = CallBudget(conn_id, MYOB_LIMITS, clock=clock, sleep=clock.sleep, app=window)
    return MyobClient(db.sessions, conn_id, transport=myob.transport(), clock=clock, sleep=clock.sleep, budget=budget)


def test_a_rate_limit_met_by_one_business_holds_back_the_other(
        db: Db, myob: Myob, connection: tuple[int, dict[str, object]]) -> None:
    tokens = myob.issue_tokens()
    now = datetime.now(UTC)
    other = add_connection(db, myob, status="connected", tenant_id=BUSINESS, tenant_name="Second company",
                           package_connection_id=BUSINESS,
                           access_token_enc=db.cipher.encrypt(str(tokens["access_token"])),
                           refresh_token_enc=db.cipher.encrypt(str(tokens["refresh_token"])),
                           access_expires_at=now + timedelta(seconds=1200), refresh_obtained_at=now,
                           token_generation=1)
    scope = app_scope("myob", myob.client_id, spec_for("myob").app_limits)
    assert scope is not None
    window, clock = LocalAppWindow(scope), FakeClock()
    myob.fault(rate_limit_storm=1)  # MYOB's 403 RateLimitError, once
    with _client(db, connection[0], myob, clock, window) as refused:
        assert refused.request("GET", "Contact/Customer").status_code == 200  # backed off, then retried
    assert [c.status for c in myob.calls] == [403, 200]
    backed_off = clock.sleeps[0]
    assert backed_off >= 1.0
    # The other company calls just after the refusal (the fake clock put back to then): it waits out the
    # app's block, though its own budget has spent nothing.
    clock.now -= backed_off
    before = len(clock.sleeps)
    with _client(db, other, myob, clock, window) as second:
        assert second.request("GET", "Contact/Customer").status_code == 200
    assert sum(clock.sleeps[before:]) >= backed_off - 0.01
