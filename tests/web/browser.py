"""Debian's Chromium driven by Playwright, headless; nothing is downloaded (never ``playwright install``)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

#: Debian's package installs ``chromium`` on the PATH; found there, not at a fixed path.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LAPTOP = {"width": 1366, "height": 768}
# The README's pictures: refreshed with LEDGERBRIDGE_SCREENSHOTS=docs/screenshots; by default each run writes to a
# temporary folder, so running the tests leaves the checkout clean.
SCREENSHOTS = Path(os.environ.get("LEDGERBRIDGE_SCREENSHOTS") or Path(tempfile.gettempdir()) / "ledgerbridge-screens")


@contextmanager
def chromium() -> Iterator[Browser]:
    if CHROMIUM is None:
        raise RuntimeError("no chromium on the PATH (Debian: apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def shoot(page: Page, name: str) -> None:
    """A screenshot for the docs, after checking the page fits a laptop screen's width."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than a 1366px screen"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/export")
