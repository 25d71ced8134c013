"""Complaint cases in a real browser: the CS survey owner (CS调查和培训担当) finds a case in the list with its
first-contact deadline, contacts the customer, resolves it (a resolution is required) and closes it only
once the customer confirmed; the timeline shows each step, who took it, and the notes added on the way. A case
opened from a survey's hot alert leads to the customer's survey answers."""

import uuid

import httpx
import pytest
from playwright.async_api import expect

from .support import admin_headers, axe_violations, described, screenshot
from .test_console_session import SUBMIT, first_sign_in, staff_user
from .test_console_tasks import plain_customer


async def open_case(stack, dealer: str, customer_id: str, summary: str, alert_id: str | None = None) -> dict:
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        made = await client.post("/api/v1/care/cases", json={"customer_id": customer_id, "dealer_id": dealer,
                                                             "summary": summary, "alert_id": alert_id},
                                 headers={"Idempotency-Key": str(uuid.uuid4())})
        assert made.status_code == 201, made.text
        return made.json()


pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]


async def test_the_cs_survey_owner_resolves_and_closes_a_complaint(stack, gateway, desktop):
    page = desktop.page
    dealer = f"D-CASE-{uuid.uuid4().hex[:6].upper()}"
    username = await staff_user(stack, "cs_survey_training_owner", dealer, name="孙丽")
    customer = await plain_customer(stack, dealer, "周强")
    await open_case(stack, dealer, customer["id"], "等待维修超过三小时")
    await first_sign_in(page, gateway, username)

    await page.goto(gateway + "/console/")
    await page.get_by_role("link", name="投诉处理").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("投诉处理")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="周强"))
    await expect(row).to_contain_text("等待维修超过三小时")
    await expect(row).to_contain_text("待处理")
    await expect(row).to_contain_text("剩余 23小时")
    await expect(page.get_by_role("heading", name="紧急救援")).to_be_visible()
    await screenshot(page, "console-cases")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    await page.get_by_role("link", name="周强").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("待处理")
    await expect(page.get_by_role("button", name="关闭工单")).to_have_count(0)  # not resolved yet
    await page.get_by_role("button", name="开始处理（已联系客户）").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("处理中", **SUBMIT)
    history = page.get_by_role("region", name="处理经过").get_by_role("listitem")
    await expect(history).to_have_count(2)
    await expect(history.nth(0)).to_contain_text("开立工单")
    await expect(history.nth(1)).to_contain_text("开始处理")
    await expect(history.nth(1)).to_contain_text(username)

    await page.get_by_role("button", name="添加记录").click()
    await expect(page.get_by_text("请填写处理记录。")).to_be_visible(**SUBMIT)
    await page.get_by_label("处理记录").fill("已致电客户，约周六到店复检")
    await page.get_by_role("button", name="添加记录").click()
    await expect(history.nth(2)).to_contain_text("已致电客户，约周六到店复检", **SUBMIT)
    await expect(page.get_by_role("heading", level=1)).to_contain_text("处理中")

    await page.get_by_role("button", name="标记为已解决").click()
    await expect(page.get_by_text("请填写解决方案。")).to_be_visible(**SUBMIT)
    await page.get_by_label("解决方案").fill("致电道歉并赠送一次免费保养")
    await page.get_by_role("button", name="标记为已解决").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("已解决", **SUBMIT)
    await screenshot(page, "console-case")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    await page.get_by_role("button", name="关闭工单").click()
    await expect(page.get_by_text("关闭前须经客户确认解决方案。")).to_be_visible(**SUBMIT)
    await page.get_by_label("客户已确认解决方案").check()
    await page.get_by_role("button", name="关闭工单").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("已关闭", **SUBMIT)
    await expect(page.get_by_text("致电道歉并赠送一次免费保养").first).to_be_visible()
    await expect(history).to_have_count(5)
    await expect(history.nth(3)).to_contain_text("致电道歉并赠送一次免费保养")
    await expect(history.nth(4)).to_contain_text("关闭工单")
    await expect(page.get_by_role("button", name="重新打开")).to_have_count(0)

    await page.get_by_role("link", name="投诉处理").first.click()
    await page.get_by_role("link", name="已关闭").click()
    await expect(page.get_by_role("row").filter(has=page.get_by_role("link", name="周强"))).to_contain_text("已关闭")


async def test_rescue_requests_show_their_status_and_an_alerts_case_leads_to_the_survey_answers(
        stack, gateway, desktop):
    page = desktop.page
    dealer = f"D-CASE-{uuid.uuid4().hex[:6].upper()}"
    username = await staff_user(stack, "cs_survey_training_owner", dealer, name="孙丽")
    customer = await plain_customer(stack, dealer, "吴敏")
    case = await open_case(stack, dealer, customer["id"], "CSI 休息区的舒适度: 2", alert_id=str(uuid.uuid4()))
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        rescue = await client.post("/api/v1/care/rescue", json={
            "customer_id": customer["id"], "dealer_id": dealer, "latitude": 31.23, "longitude": 121.47,
            "description": "延安高架抛锚"})
        assert rescue.status_code == 201, rescue.text
    await first_sign_in(page, gateway, username)

    await page.goto(f"{gateway}/console/cases")
    rescues = page.get_by_role("region", name="紧急救援").get_by_role("row").filter(has_text="延安高架抛锚")
    await expect(rescues).to_contain_text("吴敏")
    await expect(rescues).to_contain_text("已请求")
    await rescues.get_by_role("link", name="查看救援任务").click()
    await expect(page.get_by_role("heading", name="通话面板")).to_be_visible()

    await page.goto(f"{gateway}/console/cases/{case['id']}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("投诉工单")
    await expect(page.get_by_text("调查热点警报")).to_be_visible()
    await page.get_by_role("link", name="查看客户的调查回答").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("吴敏")
    await expect(page.get_by_role("heading", name="问卷回答")).to_be_visible()
