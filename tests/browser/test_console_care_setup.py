"""Care setup in a real browser: the CS planner (CS企划担当) sees what the plans would do over the next 30 days,
narrows the 售后回访 window from 3 days to 2, meets a colleague's newer save of the same plan and re-applies over
it, rewrites the birthday SMS and reads it filled in for a sample customer, and moves the quiet hours."""

import random
import uuid
from datetime import date, timedelta

import httpx
import pytest
from playwright.async_api import expect

from crm_devstack.pytest_plugin import eventually

from .support import admin_headers, axe_violations, described, screenshot
from .test_console_session import SUBMIT, first_sign_in, staff_user

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]

FOLLOW_UP = "/api/v1/care/plans/service_follow_up"
GREETING = "{{ name }}您好！祝您生日快乐，本店送您免费洗车一次。"


async def api(stack) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack), timeout=15)


async def customer_with_a_birthday_next_week(stack, dealer: str) -> None:
    """Returns once care's dry-run for the dealer has the birthday greeting in it."""
    born = date.today() + timedelta(days=7)
    async with await api(stack) as client:
        created = await client.post("/api/v1/customers", json={
            "name": "赵敏", "mobile": f"137{random.randint(0, 99_999_999):08d}", "dealer_id": dealer,
            "birth_date": born.replace(year=1988).isoformat()})  # a leap year: any day exists
        assert created.status_code == 201, created.text

        async def planned():
            answer = await client.get("/api/v1/care/plans/dry-run", params={"dealer_id": dealer})
            rules = [a["rule"] for a in answer.json()["actions"]] if answer.status_code == 200 else []
            return rules if "birthday" in rules else None

        await eventually(planned, timeout=90, interval=0.5)


async def colleague_changes_the_follow_up_call_day(stack, dealer: str) -> None:
    async with await api(stack) as client:
        now = await client.get(FOLLOW_UP, params={"dealer_id": dealer})
        saved = await client.put(FOLLOW_UP, params={"dealer_id": dealer}, json={"params": {"days_after": [2]}},
                                 headers={"If-Match": now.headers["ETag"]})
        assert saved.status_code == 200, saved.text


async def api_get(stack, path: str, **params) -> dict:
    async with await api(stack) as client:
        return (await client.get(path, params=params)).json()


async def no_serious_violations(page) -> None:
    found = await axe_violations(page)
    assert found == [], described(found)


async def test_the_planner_tunes_a_plan_a_wording_and_the_quiet_hours(stack, gateway, desktop):
    page = desktop.page
    dealer = f"D-CARE-{uuid.uuid4().hex[:6].upper()}"
    username = await staff_user(stack, "cs_planner", dealer, name="刘洋")
    await customer_with_a_birthday_next_week(stack, dealer)
    await first_sign_in(page, gateway, username)
    await page.goto(gateway + "/console/")
    await page.get_by_role("link", name="关怀设置").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("关怀计划")

    # What the plans would create, before anything is changed: 赵敏's birthday greeting next week.
    dry_run = page.get_by_role("region", name="未来 30 天预演")
    await expect(dry_run.get_by_role("row").filter(has_text="生日关怀")).to_have_count(1)
    await expect(dry_run).to_contain_text("生日关怀：1 条")
    await no_serious_violations(page)
    await screenshot(page, "console-care-plans")

    follow_up = page.get_by_role("region", name="售后回访", exact=True)
    await expect(follow_up.get_by_label("窗口期（天）")).to_have_value("3")
    await follow_up.get_by_label("窗口期（天）").fill("两天")
    await follow_up.get_by_role("button", name="保存“售后回访”").click()
    await expect(page.get_by_role("alert")).to_have_text("“售后回访”未保存，请修正标出的内容。", **SUBMIT)
    follow_up = page.get_by_role("region", name="售后回访", exact=True)
    await expect(follow_up.get_by_label("窗口期（天）")).to_have_value("两天")
    await expect(follow_up.get_by_label("窗口期（天）")).to_have_accessible_description(
        "请填写 0 到 100000 之间的整数。")
    await follow_up.get_by_label("窗口期（天）").fill("2")
    await follow_up.get_by_role("button", name="保存“售后回访”").click()
    await expect(page.get_by_role("status")).to_have_text("“售后回访”已保存。", **SUBMIT)
    follow_up = page.get_by_role("region", name="售后回访", exact=True)
    await expect(follow_up.get_by_label("窗口期（天）")).to_have_value("2")
    await expect(follow_up).to_contain_text("本店设置（第 1 版）")
    assert (await api_get(stack, FOLLOW_UP, dealer_id=dealer))["params"]["window_days"] == 2

    # A colleague moves the call to day 2 while this page is open; the planner's next save meets it.
    await colleague_changes_the_follow_up_call_day(stack, dealer)
    await follow_up.get_by_label("窗口期（天）").fill("4")
    await follow_up.get_by_role("button", name="保存“售后回访”").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("“售后回访”已被同事修改", **SUBMIT)
    compare = page.get_by_role("table")
    await expect(compare.get_by_role("row").filter(has_text="第几天回访")).to_contain_text("同事已改")
    await expect(compare.get_by_role("row").filter(has_text="第几天回访")).to_contain_text("3")
    await expect(compare.get_by_role("row").filter(has_text="窗口期（天）")).to_contain_text("4")
    await no_serious_violations(page)
    await screenshot(page, "console-care-plan-stale")
    await page.get_by_role("button", name="在最新设置上重新应用我的修改").click()
    await expect(page.get_by_role("status")).to_have_text("“售后回访”已保存。", **SUBMIT)
    saved = (await api_get(stack, FOLLOW_UP, dealer_id=dealer))["params"]
    assert (saved["days_after"], saved["window_days"]) == ([2], 4)  # the colleague's day kept, my window applied

    # The birthday SMS, rewritten and previewed for care's sample customer before it is saved.
    await page.get_by_role("link", name="消息模板").click()
    await page.get_by_role("link", name="编辑生日关怀的短信文案").click()
    body = page.get_by_label("消息内容")
    await expect(body).to_have_value("{{ name }}您好，祝您生日快乐！")
    await body.fill(GREETING)
    await page.get_by_role("button", name="预览").click()
    preview = page.get_by_role("region", name="示例客户收到的内容")
    await expect(preview).to_contain_text("王先生您好！祝您生日快乐，本店送您免费洗车一次。", **SUBMIT)
    await expect(preview).to_contain_text("您正在编辑的文案（尚未保存）")
    await expect(preview).to_contain_text("共 24 字，按 1 条短信计费。")
    await page.get_by_role("button", name="保存文案").click()
    await expect(page.get_by_role("status")).to_have_text("文案已保存。", **SUBMIT)
    await expect(page.get_by_role("region", name="示例客户收到的内容")).to_contain_text("本店当前使用的文案")
    await no_serious_violations(page)
    await screenshot(page, "console-care-template")
    wordings = (await api_get(stack, "/api/v1/care/templates", dealer_id=dealer))["items"]
    assert [(w["purpose"], w["channel"], w["body"]) for w in wordings] == [("birthday", "sms", GREETING)]

    # Quiet hours from 21:00 to 20:30, in the dealer's time.
    await page.get_by_role("link", name="消息模板").click()
    await page.get_by_role("link", name="联系策略").click()
    await expect(page.get_by_label("免打扰开始")).to_have_value("21:00")
    await page.get_by_label("免打扰开始").fill("20:30")
    await page.get_by_role("button", name="保存联系策略").click()
    await expect(page.get_by_role("status")).to_have_text("联系策略已保存。", **SUBMIT)
    await expect(page.get_by_label("免打扰开始")).to_have_value("20:30")
    await no_serious_violations(page)
    await screenshot(page, "console-care-policy")
    assert (await api_get(stack, f"/api/v1/care/contact-policy/{dealer}"))["quiet_start"] == "20:30"
    assert desktop.requests.outside(gateway) == []


async def test_a_role_without_care_setup_sees_no_link_and_cannot_open_it(stack, gateway, desktop):
    page = desktop.page
    dealer = f"D-CARE-{uuid.uuid4().hex[:6].upper()}"
    username = await staff_user(stack, "cr_activity_owner", dealer, name="孙丽")
    await first_sign_in(page, gateway, username)
    await page.goto(gateway + "/console/")
    await expect(page.get_by_role("link", name="任务队列")).to_be_visible()
    await expect(page.get_by_role("link", name="关怀设置")).to_have_count(0)
    answer = await page.goto(gateway + "/console/care")
    assert answer.status == 403
