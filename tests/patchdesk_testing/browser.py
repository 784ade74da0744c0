"""A real chromium (Debian's package) driven by Playwright, for end-to-end tests."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

from patchdesk_testing.plugin import chromium_problem, require

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Chromium's own background traffic is refused on this network; keep it quiet and local.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    require("chromium", chromium_problem())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def log_in(page: Page, base: str, username: str, landing: str) -> None:
    """Log in through the desk's login form and wait for ``landing``."""
    from patchdesk_testing.accounts import PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}{landing}")
