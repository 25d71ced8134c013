"""The segment builder in a real browser: the CS planner (CS企划担当) builds a segment of customers whose
3–6-year-old cars have gone unserviced (流失), sees the count change before saving, saves it, and the count
on its page is the API's; the members link to Customer 360, and deleting asks first."""

import contextlib
import random
import uuid
from datetime import date, timedelta

import httpx
import pytest
from playwright.async_api import expect

from crm_devstack.pytest_plugin import eventually

from .support import admin_headers, axe_violations, described, screenshot
from .test_console_customer360 import china_vin
from .test_console_session import SUBMIT, first_sign_in, staff_user

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]

LOST = {"all": [{"field": "retention_status", "op": "eq", "value": "lost"},
                {"field": "months_since_last_service", "op": "ge", "value": 30}]}


async def dealer_with_owners(stack, dealer: str) -> None:
    """Three owners: a 2-year-old car serviced last month (active) and two 4- and 5-year-old cars last seen
    three years ago (lost). Returns once segmentation has placed both lost owners."""
    today = date.today()
    cars = ((2, 30), (4, 3 * 365), (5, 3 * 365 + 20))
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        for number, (years, unseen_days) in enumerate(cars):
            serial = random.randint(0, 999_999)
            customer = (await client.post("/api/v1/customers", json={
                "name": f"车主{number}", "mobile": f"136{random.randint(0, 99_999_999):08d}",
                "dealer_id": dealer})).json()
            vehicle = await client.post("/api/v1/vehicles", json={
                "customer_id": customer["id"], "vin": china_vin(serial), "brand": "丰田", "model": "卡罗拉",
                "delivery_date": (today - timedelta(days=years * 365 + 40)).isoformat()})
            assert vehicle.status_code == 201, vehicle.text
            visit = await client.post("/api/v1/visits", json={
                "customer_id": customer["id"], "vehicle_id": vehicle.json()["id"], "kind": "service",
                "subkind": "repair", "visited_on": (today - timedelta(days=unseen_days)).isoformat(),
                "amount": "1280.00", "order_number": f"RO-{serial}"})
            assert visit.status_code == 201, visit.text

        async def placed():
            answer = await client.post("/api/v1/segments/preview", json={"dealer_id": dealer, "filter": LOST})
            return answer.json() if answer.status_code == 200 and answer.json()["count"] == 2 else None

        await eventually(placed, timeout=90, interval=0.5)


async def api_segment(stack, segment_id: str) -> dict:
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        return (await client.get(f"/api/v1/segments/{segment_id}")).json()


async def test_the_planner_builds_a_segment_watching_its_count_then_saves_and_deletes_it(stack, gateway, desktop):
    page = desktop.page
    dealer = f"D-SEG-{uuid.uuid4().hex[:6].upper()}"
    await dealer_with_owners(stack, dealer)
    username = await staff_user(stack, "cs_planner", dealer, name="刘洋")
    await first_sign_in(page, gateway, username)
    await page.goto(gateway + "/console/")
    await page.get_by_role("link", name="客户细分").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("客户细分")
    await expect(page.get_by_text("还没有细分。")).to_be_visible()

    count = page.locator("#count-value")
    await expect(count).to_be_visible(**SUBMIT)
    # The field changes: its values follow (保有状态 offers 活跃/休眠/流失) and the count follows the rows.
    await page.get_by_label("第 1 条条件的字段").select_option(label="保有状态")
    await expect(page.get_by_label("第 1 条条件的值")).to_have_value("active", **SUBMIT)
    await expect(count).to_have_text("1", **SUBMIT)
    await page.get_by_label("第 1 条条件的值").select_option(label="流失")
    await expect(count).to_have_text("2", **SUBMIT)

    await page.get_by_role("button", name="添加条件").click()
    # A person reads the new row before using it; Playwright must wait for HTMX to wire it up too.
    await page.wait_for_load_state("networkidle")
    field, operator = page.get_by_label("第 2 条条件的字段"), page.get_by_label("第 2 条条件的比较方式")
    for _ in range(3):  # a pick made while the new row settles was seen lost once (see the stop-10 note)
        await field.select_option(label="距上次维修保养（月）")
        with contextlib.suppress(AssertionError):
            await expect(operator.locator("option", has_text="不少于")).to_have_count(1, timeout=5000)
            break
    await operator.select_option(label="不少于")
    # A number row starts empty: the count waits and says which row needs what.
    await expect(page.get_by_text("第 2 条条件：请填写值。")).to_be_visible(**SUBMIT)
    await page.get_by_label("第 2 条条件的值").fill("40")
    await expect(count).to_have_text("0", **SUBMIT)  # nobody has gone 40 months without a service
    await page.get_by_label("第 2 条条件的值").fill("30")
    await expect(count).to_have_text("2", **SUBMIT)
    await expect(page.get_by_text("第 2 条条件：请填写值。")).to_have_count(0)
    await page.get_by_label("名称").fill("3–6 年车龄流失客户")
    await screenshot(page, "console-segments-builder")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    await page.get_by_role("button", name="保存细分").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("3–6 年车龄流失客户", **SUBMIT)
    segment_id = page.url.rsplit("/", 1)[1]
    saved = await api_segment(stack, segment_id)
    assert saved["members"] == 2
    await expect(page.locator("#member-count")).to_have_text(str(saved["members"]))
    await expect(page.get_by_text("保有状态 等于 流失")).to_be_visible()
    await expect(page.get_by_text("距上次维修保养（月） 不少于 30")).to_be_visible()
    members = page.get_by_role("link", name="查看 360")
    await expect(members).to_have_count(2)
    await screenshot(page, "console-segment")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    await page.get_by_role("link", name="删除此细分").click()
    await expect(page.get_by_text("其 2 位成员将全部退出")).to_be_visible()
    await page.get_by_role("button", name="确认删除").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("客户细分", **SUBMIT)
    await expect(page.get_by_text("还没有细分。")).to_be_visible()


async def test_a_segment_without_a_name_is_refused_on_the_field_and_nothing_is_saved(stack, gateway, desktop):
    page = desktop.page
    dealer = f"D-SEG-{uuid.uuid4().hex[:6].upper()}"
    username = await staff_user(stack, "cs_planner", dealer, name="刘洋")
    await first_sign_in(page, gateway, username, then="/console/segments")
    await page.goto(gateway + "/console/segments")
    await page.get_by_role("button", name="保存细分").click()
    await expect(page.locator("#name-error")).to_have_text("请填写细分名称。", **SUBMIT)
    await expect(page.get_by_text("还没有细分。")).to_be_visible()


async def test_the_planner_narrows_a_segment_by_vehicle_age_watching_its_count_and_a_stale_save_shows_theirs(
        stack, gateway, desktop):
    page = desktop.page
    dealer = f"D-SEG-{uuid.uuid4().hex[:6].upper()}"
    await dealer_with_owners(stack, dealer)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        created = await client.post("/api/v1/segments", json={
            "dealer_id": dealer, "name": "流失客户", "kind": "dynamic",
            "filter": {"all": [{"field": "retention_status", "op": "eq", "value": "lost"}]}})
    assert created.status_code == 201, created.text
    segment_id = created.json()["id"]
    username = await staff_user(stack, "cs_planner", dealer, name="刘洋")
    await first_sign_in(page, gateway, username, then=f"/console/segments/{segment_id}")
    await page.goto(f"{gateway}/console/segments/{segment_id}")
    await expect(page.locator("#member-count")).to_have_text("2")

    await page.get_by_role("link", name="编辑此细分").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("编辑细分：流失客户", **SUBMIT)
    count = page.locator("#count-value")
    await expect(count).to_have_text("2", **SUBMIT)
    await page.get_by_role("button", name="添加条件").click()
    await page.wait_for_load_state("networkidle")
    field, operator = page.get_by_label("第 2 条条件的字段"), page.get_by_label("第 2 条条件的比较方式")
    for _ in range(3):  # as above: a pick made while the new row settles can be lost
        await field.select_option(label="车龄（年）")
        with contextlib.suppress(AssertionError):
            await expect(operator.locator("option", has_text="介于")).to_have_count(1, timeout=5000)
            break
    await operator.select_option(label="不少于")
    await page.get_by_label("第 2 条条件的值").fill("5")
    await expect(count).to_have_text("1", **SUBMIT)  # of the two lost owners, only the 5-year-old car's
    await page.get_by_label("名称").fill("5 年以上车龄流失客户")
    await screenshot(page, "console-segment-edit")
    violations = await axe_violations(page)
    assert violations == [], described(violations)
    await page.get_by_role("button", name="保存修改").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("5 年以上车龄流失客户", **SUBMIT)
    await expect(page.locator("#member-count")).to_have_text("1")
    await expect(page.get_by_text("车龄（年） 不少于 5 年")).to_be_visible()
    saved = await api_segment(stack, segment_id)
    assert (saved["members"], saved["version"]) == (1, 2)

    # A colleague saves while the planner edits: the planner's save is not lost silently nor applied blindly.
    await page.get_by_role("link", name="编辑此细分").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("编辑细分：5 年以上车龄流失客户", **SUBMIT)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        theirs = await client.put(f"/api/v1/segments/{segment_id}", headers={"If-Match": '"2"'}, json={
            "name": "同事改过的细分", "filter": saved["filter"]})
    assert theirs.status_code == 200, theirs.text
    await page.get_by_label("说明").fill("四年以上车主")
    await page.get_by_label("第 2 条条件的值").fill("4")
    await expect(count).to_have_text("2", **SUBMIT)
    await page.get_by_role("button", name="保存修改").click()
    await expect(page.get_by_role("heading", name="此细分已被他人修改")).to_be_visible(**SUBMIT)
    await expect(page.get_by_text("同事改过的细分", exact=True)).to_be_visible()
    await expect(page.get_by_label("第 2 条条件的值")).to_have_value("4")
    assert (await api_segment(stack, segment_id))["name"] == "同事改过的细分"
    await page.get_by_role("button", name="保存修改").click()  # the planner saves over it, knowingly
    await expect(page.get_by_role("heading", level=1)).to_have_text("5 年以上车龄流失客户", **SUBMIT)
    await expect(page.get_by_text("四年以上车主")).to_be_visible()
    await expect(page.locator("#member-count")).to_have_text("2")
