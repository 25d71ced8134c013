"""The task queue in a real browser: the CR activity owner (CR活动担当) takes an unassigned call, reads the
customer's context from the call panel, records the outcome in one form (the task leaves 我的 and shows
已完成), and a second call ending in a complaint opens a case that the case list then shows. A 回访 call shows
the questionnaire of its visit's survey, to read out and record."""

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from playwright.async_api import expect

from crm_devstack.pytest_plugin import eventually

from .support import admin_headers, axe_violations, described, screenshot
from .test_console_customer360 import customer_with_history
from .test_console_session import SUBMIT, first_sign_in, staff_user

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]


async def call_task(stack, dealer: str, customer_id: str) -> dict:
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        made = await client.post("/api/v1/care/tasks", json={
            "customer_id": customer_id, "dealer_id": dealer, "kind": "call", "role": "cr_activity",
            "priority": "normal", "due_at": datetime.now(UTC).isoformat()})
        assert made.status_code == 201, made.text
        return made.json()


async def plain_customer(stack, dealer: str, name: str) -> dict:
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        made = await client.post("/api/v1/customers", json={
            "name": name, "mobile": f"139{random.randint(0, 99_999_999):08d}", "dealer_id": dealer})
        assert made.status_code == 201, made.text
        return made.json()


async def test_the_cr_activity_owner_works_a_call_to_its_outcome_and_a_complaint_becomes_a_case(
        stack, gateway, desktop):
    page = desktop.page
    dealer = f"D-TASK-{uuid.uuid4().hex[:6].upper()}"
    username = await staff_user(stack, "cr_activity_owner", dealer, name="赵磊")
    reached = await customer_with_history(stack, dealer, "王建国")
    complaining = await plain_customer(stack, dealer, "李娜")
    await call_task(stack, dealer, reached["id"])
    await call_task(stack, dealer, complaining["id"])
    await first_sign_in(page, gateway, username)

    await page.goto(gateway + "/console/")
    await page.get_by_role("link", name="任务队列").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("任务队列")
    await expect(page.get_by_text("没有分配给我的任务。")).to_be_visible()
    await page.get_by_role("link", name="未分配", exact=True).click()
    # Care's scheduler queued a win-back call for this dormant customer too; ours is the one made by hand.
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="王建国")).filter(has_text="手动创建")
    await expect(row).to_contain_text("剩余 2天")  # a normal call has three days (71 h and some minutes left)
    await screenshot(page, "console-tasks")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    # The call panel: who to call, their car and last visits, before taking the task.
    await row.get_by_role("link", name="王建国").click()
    await expect(page.get_by_role("heading", name="通话面板")).to_be_visible()
    await expect(page.get_by_text(reached["plate"])).to_be_visible()
    await expect(page.get_by_text("¥2,350.50")).to_be_visible()  # the repair in 2021
    await page.get_by_role("button", name="领取任务").click()
    await expect(page.get_by_text(username, exact=True)).to_be_visible(**SUBMIT)

    await page.get_by_role("link", name="任务队列").first.click()
    await expect(page.get_by_role("link", name="王建国")).to_be_visible()
    await page.get_by_role("link", name="王建国").click()
    await page.get_by_label("已联系上").check()
    await page.get_by_label("备注").fill("客户对保养很满意")
    await screenshot(page, "console-task")
    violations = await axe_violations(page)
    assert violations == [], described(violations)
    await page.get_by_role("button", name="保存结果").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("已完成", **SUBMIT)
    await expect(page.get_by_text("客户对保养很满意")).to_be_visible()
    await page.goto(gateway + "/console/tasks?tab=mine")
    await expect(page.get_by_text("没有分配给我的任务。")).to_be_visible()

    # The second call ends in a complaint: the notes are its content, and the case opens from here.
    await page.goto(gateway + "/console/tasks?tab=unassigned")
    await page.get_by_role("link", name="李娜").click()
    await page.get_by_label("客户投诉").check()
    await page.get_by_role("button", name="保存结果").click()
    await expect(page.get_by_text("请在备注中写明投诉内容。")).to_be_visible(**SUBMIT)
    await page.get_by_label("备注").fill("保养后车辆异响，客户很不满意")
    await page.get_by_role("button", name="保存结果").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("投诉工单", **SUBMIT)
    await expect(page.get_by_text("保养后车辆异响，客户很不满意")).to_be_visible()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("待处理")

    await page.get_by_role("link", name="投诉处理").first.click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="李娜"))
    await expect(row).to_contain_text("保养后车辆异响")
    await expect(row).to_contain_text("剩余 23小时")  # first contact within a day


async def follow_up_call_with_survey(stack, dealer: str, name: str) -> tuple[dict, dict]:
    """A service visit six days ago with survey consent: the survey service sends the customer its CSI at once and
    care queues the 回访 call of day three (a working day, so already due); the call carries the invitation."""
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        current = await client.get(f"/api/v1/surveys/settings/{dealer}")
        settings = await client.put(f"/api/v1/surveys/settings/{dealer}", json={"csi_delay_hours": 0},
                                    headers={"If-Match": current.headers["ETag"]})
        assert settings.status_code == 200, settings.text  # the CSI goes out now: care hears of it when it is sent
        customer = await plain_customer(stack, dealer, name)
        consent = await client.post(f"/api/v1/customers/{customer['id']}/consents", json={
            "purpose": "survey", "channel": "sms", "granted": True, "source": "service reception"})
        assert consent.status_code in (200, 201), consent.text
        visit = await client.post("/api/v1/visits", json={
            "customer_id": customer["id"], "kind": "service", "subkind": "maintenance",
            "visited_on": (date.today() - timedelta(days=6)).isoformat(), "amount": "680.00",
            "order_number": f"RO-{random.randint(0, 999_999):06d}", "closed": True})
        assert visit.status_code == 201, visit.text

        async def linked_call():
            listed = await client.get("/api/v1/care/tasks", params={"customer_id": customer["id"]})
            return next((t for t in listed.json()["items"] if t["invitation_id"]), None)

        return customer, await eventually(linked_call, timeout=60, interval=0.5)


async def test_a_follow_up_call_shows_the_questionnaire_to_read_out(stack, gateway, desktop):
    page = desktop.page
    dealer = f"D-FUP-{uuid.uuid4().hex[:6].upper()}"
    username = await staff_user(stack, "cs_survey_training_owner", dealer, name="孙丽")
    customer, call = await follow_up_call_with_survey(stack, dealer, "钱芳")
    await first_sign_in(page, gateway, username)

    await page.goto(f"{gateway}/console/tasks?tab=unassigned")
    await page.get_by_role("link", name="钱芳").click()
    questionnaire = page.get_by_role("region", name="回访问卷")
    await expect(questionnaire).to_contain_text("售后满意度（CSI）")
    await expect(questionnaire).to_contain_text("休息区的舒适度")
    assert await questionnaire.get_by_role("listitem").count() > 5
    violations = await axe_violations(page)
    assert violations == [], described(violations)
    await questionnaire.get_by_role("link", name="记录客户的回答").click()
    await expect(page.get_by_role("heading", name="记录电话回访")).to_be_visible()
    await expect(page.get_by_role("group", name="休息区的舒适度")).to_be_visible()
    assert call["reason"] == "service_follow_up" and customer["id"] == call["customer_id"]
