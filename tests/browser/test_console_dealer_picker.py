"""The header's dealer picker in a real browser: the carmaker analyst reads the network's KPIs, picks one
dealer and reads that dealer's, then goes back to 全部经销商."""

import asyncio
import uuid

import httpx
import pytest
from playwright.async_api import expect

from .support import admin_headers, axe_violations, described, screenshot
from .test_console_kpis import dealer_with_cars
from .test_console_session import TEMPORARY, first_sign_in

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]


async def analyst(stack) -> str:
    username = f"oem.{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        created = await client.post("/api/v1/admin/users", json={
            "username": username, "password": TEMPORARY, "display_name": "周婷",
            "roles": ["carmaker_analyst"], "dealers": ["*"]})
        assert created.status_code == 201, created.text
    return username


async def test_the_carmaker_analyst_picks_a_dealer_and_back_to_the_network(stack, gateway, desktop):
    page = desktop.page
    picked, other = (f"D-PICK-{uuid.uuid4().hex[:6].upper()}" for _ in range(2))
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        for dealer, name in ((picked, f"青岛丰田4S店 {picked[-6:]}"), (other, f"烟台丰田4S店 {other[-6:]}")):
            made = await client.post("/api/v1/admin/dealers", json={"id": dealer, "name": name})
            assert made.status_code == 201, made.text
    await asyncio.gather(dealer_with_cars(stack, picked), dealer_with_cars(stack, other))
    username = await analyst(stack)
    await first_sign_in(page, gateway, username)

    await page.goto(gateway + "/console/kpis")
    picker = page.get_by_label("经销商", exact=True)
    await expect(picker).to_have_value("")  # 全部经销商
    scope = page.locator("main p.meta").first
    await expect(scope).to_contain_text("经销商：全部经销商")
    sold = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="合计")).first \
        .get_by_role("cell").first
    assert int(await sold.inner_text()) >= 4  # both dealers' cars, and any other dealer's

    await picker.select_option(label=f"青岛丰田4S店 {picked[-6:]}")
    await page.get_by_role("button", name="切换").click()
    await expect(page).to_have_url(gateway + "/console/kpis")
    await expect(scope).to_contain_text(f"经销商：青岛丰田4S店 {picked[-6:]}")
    await expect(sold).to_have_text("2")  # this dealer's two cars only
    await expect(picker).to_have_value(picked)
    await expect(page.locator("main")).not_to_contain_text("暂不可用")
    await screenshot(page, "console-dealer-picker")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    # The choice holds on every screen until changed: the home page's figures are the dealer's too.
    await page.goto(gateway + "/console/")
    await expect(page.get_by_label("经销商", exact=True)).to_have_value(picked)
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    await page.goto(gateway + "/console/kpis")
    await picker.select_option(label="全部经销商")
    await page.get_by_role("button", name="切换").click()
    await expect(scope).to_contain_text("经销商：全部经销商")
    assert int(await sold.inner_text()) >= 4
    await expect(picker).to_have_value("")
    assert desktop.requests.outside(gateway) == []
