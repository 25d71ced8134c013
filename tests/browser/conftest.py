"""Browser tests: one headless Chromium for the session, driving the one stack of real processes
(`stack` from crm_devstack.pytest_plugin) through the gateway, as a customer or a member of staff would.

Chromium is Debian's (`apt-get install -y chromium`), never a Playwright download; CRM_CHROMIUM points
elsewhere. See tests/browser/README.md.
"""

import os
import shutil

import pytest
from playwright.async_api import async_playwright

from .support import Tab, open_tab

CHROMIUM = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")
# Quiet and self-contained: no sandbox (containers run as root), no GPU, no background calls home.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
async def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"No Chromium at {CHROMIUM}: `apt-get install -y chromium` (Debian/Ubuntu), or set "
                    "CRM_CHROMIUM to a Chromium or Chrome binary. `make test` installs it when run as root.")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture(scope="session")
def gateway(stack) -> str:
    return stack.url("gateway")


@pytest.fixture
async def phone(browser) -> Tab:
    """A 360×740 touch screen in Chinese, JavaScript on; `phone.requests` lists every request it made."""
    tab = await open_tab(browser)
    yield tab
    await tab.context.close()


@pytest.fixture
async def phone_without_javascript(browser) -> Tab:
    tab = await open_tab(browser, javascript=False)
    yield tab
    await tab.context.close()


@pytest.fixture
async def desktop(browser) -> Tab:
    """A 1280×900 screen in Chinese, for staff pages."""
    tab = await open_tab(browser, phone=False)
    yield tab
    await tab.context.close()
