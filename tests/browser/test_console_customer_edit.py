"""Customer 360 changes in a real browser: the CS information manager edits a mobile, meets a colleague's
newer save and re-applies their change over it, merges a duplicate (whose car then shows on the record
kept) and erases a customer; each change is confirmed on a page that says plainly what it will do."""

import random

import httpx
import pytest
from playwright.async_api import expect

from .support import admin_headers, axe_violations, described, screenshot
from .test_console_customer360 import china_vin
from .test_console_session import SUBMIT, first_sign_in, staff_user

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]
DEALER = "D-CONSOLE-3"


def a_mobile() -> str:
    return f"139{random.randint(0, 99_999_999):08d}"


def spoken(mobile: str) -> str:
    return f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"


async def api(stack) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack), timeout=15)


async def a_customer(stack, name: str, **fields) -> dict:
    async with await api(stack) as client:
        made = await client.post("/api/v1/customers", json={"name": name, "mobile": a_mobile(),
                                                            "dealer_id": DEALER, **fields})
        assert made.status_code == 201, made.text
        return made.json()


async def signed_in_manager(stack, page, gateway) -> None:
    username = await staff_user(stack, "cs_information_manager", DEALER)
    await first_sign_in(page, gateway, username)


def contact(page):
    return page.locator("section").filter(has=page.get_by_role("heading", name="联系方式"))


async def test_an_edit_is_saved_and_a_stale_one_shows_both_versions_to_re_apply(stack, gateway, desktop):
    page = desktop.page
    await signed_in_manager(stack, page, gateway)
    customer = await a_customer(stack, "李秀英", city="北京")
    new_mobile = a_mobile()

    await page.goto(f"{gateway}/console/customers/{customer['id']}")
    await page.get_by_role("link", name="编辑联系信息").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("编辑 李秀英 的联系信息")
    await page.get_by_label("手机号", exact=True).fill("12345")
    await page.get_by_role("button", name="保存修改").click()
    # Refused by the service: said in Chinese next to the field, and what was typed is still there.
    await expect(page.get_by_text("请填写有效的中国大陆手机号")).to_be_visible(**SUBMIT)
    await expect(page.get_by_label("手机号", exact=True)).to_have_value("12345")
    await page.get_by_label("手机号", exact=True).fill(new_mobile)
    await page.get_by_role("button", name="保存修改").click()
    await expect(page.get_by_role("status").filter(has_text="已保存修改。")).to_be_visible(**SUBMIT)
    await expect(contact(page)).to_contain_text(spoken(new_mobile))

    await page.get_by_role("link", name="编辑联系信息").click()
    await expect(page.get_by_label("城市")).to_have_value("北京")
    await screenshot(page, "console-customer-edit")
    violations = await axe_violations(page)
    assert violations == [], described(violations)
    later_mobile = a_mobile()
    await page.get_by_label("手机号", exact=True).fill(later_mobile)
    async with await api(stack) as client:  # a colleague saves first
        read = await client.get(f"/api/v1/customers/{customer['id']}")
        saved = await client.patch(f"/api/v1/customers/{customer['id']}", json={"city": "天津"},
                                   headers={"If-Match": read.headers["ETag"]})
        assert saved.status_code == 200, saved.text
    await page.get_by_role("button", name="保存修改").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("在您编辑期间，这位客户的记录已被修改", **SUBMIT)
    compared = page.get_by_role("table")
    await expect(compared.get_by_role("row").filter(has_text="城市")).to_contain_text("北京")
    await expect(compared.get_by_role("row").filter(has_text="城市")).to_contain_text("天津")
    await expect(compared.get_by_role("row").filter(has_text="手机号")).to_contain_text(spoken(later_mobile))
    await screenshot(page, "console-customer-stale")
    violations = await axe_violations(page)
    assert violations == [], described(violations)
    await page.get_by_role("button", name="在现在的记录上重新应用我的修改").click()

    await expect(page.get_by_role("status").filter(has_text="已保存修改。")).to_be_visible(**SUBMIT)
    await expect(contact(page)).to_contain_text(spoken(later_mobile))
    await expect(contact(page)).to_contain_text("天津")  # the colleague's change is kept

    await page.get_by_role("link", name="记录同意（满意度调查·短信）").click()
    await expect(page.get_by_text("记录后，可以通过短信就“满意度调查”联系这位客户。")).to_be_visible()
    await page.get_by_label("客户在哪里表达的意愿").fill("展厅纸质表格")
    await page.get_by_role("button", name="确认记录同意").click()
    await expect(page.get_by_role("status").filter(has_text="已记录授权变更。")).to_be_visible(**SUBMIT)
    await expect(page.get_by_role("link", name="撤回（满意度调查·短信）")).to_be_visible()
    assert desktop.requests.outside(gateway) == []


async def test_a_merge_and_an_erasure_each_ask_first_then_show_what_happened(stack, gateway, desktop):
    page = desktop.page
    await signed_in_manager(stack, page, gateway)
    kept = await a_customer(stack, "周建华")
    duplicate = await a_customer(stack, "周建华", email="zhou@example.cn")
    serial = random.randint(0, 999_999)
    plate = f"津C{serial % 100_000:05d}"
    async with await api(stack) as client:
        vehicle = await client.post("/api/v1/vehicles", json={
            "customer_id": duplicate["id"], "vin": china_vin(serial), "plate": plate, "brand": "丰田",
            "model": "凯美瑞", "model_year": 2021, "delivery_date": "2021-03-01"})
        assert vehicle.status_code == 201, vehicle.text
        visit = await client.post("/api/v1/visits", json={
            "customer_id": duplicate["id"], "vehicle_id": vehicle.json()["id"], "kind": "service",
            "subkind": "first_service", "visited_on": "2021-09-01", "amount": "0.00",
            "order_number": f"RO-M-{serial}"})
        assert visit.status_code == 201, visit.text

    await page.goto(f"{gateway}/console/customers/{kept['id']}")
    await page.get_by_role("link", name="合并重复客户").click()
    await page.get_by_label("姓名、手机号、车牌号或车架号").fill(duplicate["mobile"].removeprefix("+86"))
    await page.get_by_role("button", name="查询").click()
    await page.get_by_role("link", name="选择 周建华 并核对").click()
    goes = page.locator("section").filter(has=page.get_by_role("heading", name="将被并入的重复记录"))
    await expect(goes).to_contain_text(plate)
    await expect(page.get_by_text("合并不能撤销。")).to_be_visible()
    await screenshot(page, "console-customer-merge")
    violations = await axe_violations(page)
    assert violations == [], described(violations)
    await page.get_by_label("我已核对，周建华 和 周建华 是同一位客户").check()
    await page.get_by_role("button", name="确认合并").click()

    await expect(page.get_by_role("status").filter(has_text="已合并")).to_be_visible(**SUBMIT)
    await expect(page).to_have_url(f"{gateway}/console/customers/{kept['id']}?done=merged")
    vehicles = page.locator("section").filter(has=page.get_by_role("heading", name="车辆"))
    await expect(vehicles).to_contain_text(plate)
    await expect(contact(page)).to_contain_text("zhou@example.cn")  # a blank filled from the duplicate

    await page.get_by_role("link", name="删除个人信息").click()
    await expect(page.get_by_text("删除不能撤销，也不能恢复。")).to_be_visible()
    await page.get_by_label("请输入客户姓名“周建华”以确认").fill("周建")
    await page.get_by_role("button", name="永久删除个人信息").click()
    await expect(page.get_by_role("alert")).to_have_text("输入的姓名与该客户不一致，未删除任何信息。", **SUBMIT)
    await screenshot(page, "console-customer-erase")
    violations = await axe_violations(page)
    assert violations == [], described(violations)
    await page.get_by_label("请输入客户姓名“周建华”以确认").fill("周建华")
    await page.get_by_role("button", name="永久删除个人信息").click()

    await expect(page.get_by_role("status").filter(has_text="已删除该客户的个人信息")).to_be_visible(**SUBMIT)
    await expect(page.get_by_role("heading", level=1)).to_contain_text("个人信息已删除")
    assert "周建华" not in await page.locator("main").inner_text()
    assert "zhou@example.cn" not in await page.locator("main").inner_text()
    assert desktop.requests.outside(gateway) == []
