"""Customer 360 in a real browser: the CS information manager finds a customer by plate and sees, in
Chinese, their vehicles, visits and profile; another dealer's customer is a 404 with nothing in it."""

import random

import httpx
import pytest
from playwright.async_api import expect

from crm_devstack.pytest_plugin import eventually

from .support import admin_headers, axe_violations, described, screenshot
from .test_console_session import SUBMIT, first_sign_in, staff_user

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]

VIN_VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
              **dict(zip("JKLMN", range(1, 6), strict=True)), "P": 7, "R": 9,
              **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def china_vin(serial: int) -> str:
    """A China-made VIN (FAW Toyota's LFM prefix) with a correct check digit in position 9."""
    vin = f"LFMBE40K0MT{serial:06d}"  # position 9 is replaced by its check digit below
    total = sum(VIN_VALUES[c] * w for c, w in zip(vin, VIN_WEIGHTS, strict=True))
    check = "X" if total % 11 == 10 else str(total % 11)
    return vin[:8] + check + vin[9:]


async def customer_with_history(stack, dealer: str, name: str) -> dict:
    """A customer with a car bought years ago, serviced, then not seen: the profile calls them at risk."""
    serial = random.randint(0, 999_999)
    plate = f"京A{serial % 100_000:05d}"
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        customer = (await client.post("/api/v1/customers", json={
            "name": name, "mobile": f"138{random.randint(0, 99_999_999):08d}", "dealer_id": dealer,
            "gender": "male", "province": "北京市", "city": "北京"})).json()
        vehicle = await client.post("/api/v1/vehicles", json={
            "customer_id": customer["id"], "vin": china_vin(serial), "plate": plate, "brand": "丰田",
            "model": "卡罗拉", "model_year": 2019, "delivery_date": "2019-05-20", "purchase_price": "129800.00"})
        assert vehicle.status_code == 201, vehicle.text
        vehicle = vehicle.json()
        for number, (kind, subkind, on, amount, km) in enumerate((
                ("purchase", "new_car", "2019-05-20", "129800.00", None),
                ("service", "first_service", "2019-11-02", "0.00", 5230),
                ("service", "repair", "2021-09-03", "2350.50", 31200))):
            visit = await client.post("/api/v1/visits", json={
                "customer_id": customer["id"], "vehicle_id": vehicle["id"], "kind": kind, "subkind": subkind,
                "visited_on": on, "amount": amount, "order_number": f"RO-{serial}-{number}",
                **({"odometer_km": km} if km else {})})
            assert visit.status_code == 201, visit.text

        async def profiled():
            found = await client.get(f"/api/v1/profiles/{customer['id']}")
            return found.status_code == 200 and found.json()["vehicle_profiles"] and found.json()["churn_risk"]

        await eventually(profiled, timeout=60, interval=0.5)
    return {**customer, "plate": plate, "vin": vehicle["vin"]}


async def test_the_cs_information_manager_finds_a_customer_and_reads_their_360_in_chinese(stack, gateway, desktop):
    page = desktop.page
    customer = await customer_with_history(stack, "D-CONSOLE-1", "王建国")
    username = await staff_user(stack, "cs_information_manager", "D-CONSOLE-1")
    await first_sign_in(page, gateway, username)

    await page.goto(gateway + "/console/")
    await expect(page.get_by_role("heading", name="经销商概况")).to_be_visible()
    await expect(page.get_by_text("客户掌握率")).to_be_visible()
    await screenshot(page, "console-home")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    await page.get_by_role("link", name="客户查询").click()
    await page.get_by_label("姓名、手机号、车牌号或车架号").fill(customer["plate"])
    await page.get_by_role("button", name="查询").click()
    await page.get_by_role("link", name="王建国").click(**SUBMIT)
    await expect(page).to_have_url(f"{gateway}/console/customers/{customer['id']}", **SUBMIT)

    await expect(page.get_by_role("heading", level=1)).to_contain_text("王建国")
    vehicles = page.locator("section").filter(has=page.get_by_role("heading", name="车辆"))
    await expect(vehicles).to_contain_text(customer["plate"])
    await expect(vehicles).to_contain_text(customer["vin"])
    await expect(vehicles).to_contain_text("丰田 卡罗拉 (2019)")
    await expect(vehicles).to_contain_text("31,200 公里")
    await expect(vehicles).to_contain_text("现车主，自2019年5月20日")
    profile = page.locator("section").filter(has=page.get_by_role("heading", name="客户画像"))
    await expect(profile).to_contain_text("维系状态")
    await expect(profile).to_contain_text("流失")  # last service in 2021: a lost owner
    await expect(profile).to_contain_text("流失风险原因")
    await expect(profile).to_contain_text("距上次保养已")
    visits = page.locator("section").filter(has=page.get_by_role("heading", name="来店记录"))
    await expect(visits).to_contain_text("2021年9月3日")
    await expect(visits).to_contain_text("¥2,350.50")
    await expect(visits).to_contain_text("售后服务 · 首保")
    await expect(page.locator("main")).not_to_contain_text("暂不可用")
    await screenshot(page, "console-customer360")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    await page.get_by_role("button", name="English").click()
    await expect(page.get_by_role("heading", name="Vehicles")).to_be_visible(**SUBMIT)
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await screenshot(page, "console-customer360-en")
    assert desktop.requests.outside(gateway) == []


async def test_another_dealers_customer_is_the_consoles_404_with_nothing_of_theirs(stack, gateway, desktop):
    page = desktop.page
    theirs = await customer_with_history(stack, "D-CONSOLE-2", "赵国强")
    username = await staff_user(stack, "cs_information_manager", "D-CONSOLE-1")
    await first_sign_in(page, gateway, username)

    response = await page.goto(f"{gateway}/console/customers/{theirs['id']}")
    assert response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("找不到页面")
    body = await page.locator("body").inner_text()
    assert "赵国强" not in body and theirs["plate"] not in body and theirs["vin"] not in body
    await screenshot(page, "console-404")
    await page.goto(f"{gateway}/console/customers?q={theirs['plate']}")
    await expect(page.locator("#results")).to_contain_text("没有找到", **SUBMIT)
    await screenshot(page, "console-search-other-dealer")
    assert desktop.requests.outside(gateway) == []
