"""The Numbering page over real HTTP: prefix and next number saved (or refused whole), each device's blocks and
the gaps with their cause, read-only for a viewer, and the page fits a phone and a laptop."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from ledgerbridge.numbering.allocate import reserve_block
from ledgerbridge.numbering.devices import replace_device, report_numbers
from ledgerbridge.store.db import write_locked_scope

from .browser import LAPTOP, chromium, shoot
from .browser import sign_in as browser_sign_in
from .conftest import PASSWORD, LiveApp, Store
from .test_auth import csrf_of, sign_in
from .test_qbd_screens import PHONE, WIDER_THAN_THE_SCREEN


def _form(web: httpx.Client, **values: str) -> dict[str, str]:
    return {"csrf_token": csrf_of(web.get("/numbering").text), **values}


def test_numbering_is_set_on_the_page_and_shows_blocks_and_gaps(store: Store, live_app: LiveApp) -> None:
    web = sign_in(live_app, "admin@dunmore.test")
    saved = web.post("/numbering", data=_form(web, **{"prefix:sales_invoice": "AS-", "next:sales_invoice": "8000"}),
                     follow_redirects=True)
    assert "Numbering saved." in saved.text and "next: AS-8000" in saved.text
    refused = web.post("/numbering", data=_form(web, **{"prefix:sales_credit_note": "CN-",
                                                        "prefix:sales_invoice": "AS1"}), follow_redirects=True)
    assert "must not end with a digit" in refused.text and "next: CN-1" not in refused.text  # nothing saved
    with write_locked_scope(store.sessions) as session:
        tablet = reserve_block(session, store.org_id, "sales_invoice", "tablet-7").numbers
        reserve_block(session, store.org_id, "sales_invoice", "phone-3")
        report_numbers(session, store.org_id, "sales_invoice", "tablet-7", used=tablet[:5], voided=[tablet[5]],
                       give_back_rest=True)
        replace_device(session, store.org_id, "phone-3", "phone-3b")
    # A form shown before the devices reserved still saves a prefix: the next number it shows is not a move back.
    stale = _form(web, **{"prefix:sales_credit_note": "CN-", "next:sales_invoice": "8000",
                          "shown:sales_invoice": "8000"})
    assert "Numbering saved." in web.post("/numbering", data=stale, follow_redirects=True).text
    back = _form(web, **{"next:sales_invoice": "8010", "shown:sales_invoice": "8050"})
    assert "can only move forward" in web.post("/numbering", data=back, follow_redirects=True).text
    page = web.get("/numbering").text
    assert "next: CN-1" in page
    for shown in ("tablet-7", "phone-3", "AS-8000 – AS-8024", "AS-8006 – AS-8024", "Voided",
                  "A device&#39;s unused block", "A reinstalled device", "3 gaps"):
        assert shown in page, shown
    viewer = sign_in(live_app, "viewer@dunmore.test")
    assert "Save numbering" not in viewer.get("/numbering").text
    assert viewer.post("/numbering", data=_form(viewer, **{"next:sales_invoice": "9000"})).status_code == 403
    elsewhere = sign_in(live_app, "admin@elsewhere.test")
    assert "tablet-7" not in elsewhere.get("/numbering").text

    base = live_app.base_url
    with chromium() as browser:
        for name, viewport in (("13-numbering-phone", PHONE), ("13-numbering", LAPTOP)):
            tab = browser.new_page(viewport=viewport)
            browser_sign_in(tab, base, "admin@dunmore.test", PASSWORD)
            tab.goto(f"{base}/numbering")
            expect(tab.get_by_role("heading", name="Gaps")).to_be_visible()
            expect(tab.get_by_label("Next number of sales invoice")).to_have_value("8050")
            overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            wider = [] if overflow <= 0 else tab.evaluate(WIDER_THAN_THE_SCREEN)
            assert overflow <= 0, f"/numbering: {overflow}px wider than the screen: {wider}"
            shoot(tab, name)
            tab.close()
