"""Staff hear about what is urgent at once: a survey owner who chose e-mail sees the header's badge turn to 1
when a customer raises a hot alert, without reloading the page; the notifications page lists it, its link
opens the case the alert opened, and the e-mail reaches the dev message sink."""

import re
import uuid

import httpx
import pytest
from playwright.async_api import expect

from crm_devstack.pytest_plugin import eventually

from .support import axe_violations, described, screenshot, survey_link
from .test_console_session import first_sign_in, staff_user

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]

RATED = ("fixed_first_time", "work_thoroughness", "ready_on_time", "charges_explained", "lounge_comfort",
         "facility_clean", "advisor_courtesy", "advisor_explained", "appointment_ease", "reception_speed")


async def test_a_hot_alert_lights_the_badge_and_its_notification_opens_the_case(stack, gateway, desktop):
    page = desktop.page
    dealer = f"D-NTF-{uuid.uuid4().hex[:6].upper()}"
    username = await staff_user(stack, "cs_survey_training_owner", dealer, name="孙丽")
    await first_sign_in(page, gateway, username)

    await page.goto(gateway + "/console/notifications/settings")
    await page.get_by_label("电子邮件").check()
    await page.get_by_label("邮箱地址或企业微信账号").fill("sun.li@dealer.example")
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("status")).to_have_text("已保存。")
    assert not (violations := await axe_violations(page)), described(violations)

    # A second tab saves first: this tab's save, made on what it read before, is refused, not applied unseen.
    other_tab = await desktop.context.new_page()
    await other_tab.goto(gateway + "/console/notifications/settings")
    await other_tab.get_by_label("任务逾期").uncheck()
    await other_tab.get_by_role("button", name="保存").click()
    await expect(other_tab.get_by_role("status")).to_have_text("已保存。")
    await other_tab.close()
    await page.get_by_label("企业微信", exact=True).check()
    await page.get_by_label("邮箱地址或企业微信账号").fill("SunLi")
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("alert")).to_contain_text("您的通知设置已在别处")
    await expect(page.get_by_label("电子邮件")).to_be_checked()  # the settings as they are now, not mine
    await expect(page.get_by_label("邮箱地址或企业微信账号")).to_have_value("sun.li@dealer.example")
    await expect(page.get_by_label("任务逾期")).not_to_be_checked()
    assert not (violations := await axe_violations(page)), described(violations)

    await page.goto(gateway + "/console/")
    badge = page.locator("header .bell .badge")
    await expect(badge).to_be_hidden()
    invitation = await survey_link(stack, dealer)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=15) as client:
        answered = await client.post(invitation["link_path"], json={
            "answers": {**{question: 9 for question in RATED}, "advisor_courtesy": 2, "recommend": 3}})
        assert answered.status_code == 201, answered.text

    await expect(badge).to_have_text("1", timeout=60_000)  # pushed by the stream: the page was not reloaded
    await page.locator("header .bell").click()
    await expect(page.get_by_role("heading", name="我的通知")).to_be_visible()
    listed = page.get_by_role("region", name="通知列表")
    await expect(listed).to_contain_text("新的热点警报")
    assert not (violations := await axe_violations(page)), described(violations)
    await screenshot(page, "console-notifications")

    await listed.get_by_role("link").first.click()
    await expect(page).to_have_url(re.compile(r"/console/cases/[0-9a-f-]{36}$"))
    await expect(badge).to_be_hidden(timeout=15_000)  # opening it read it

    async def mailed():
        async with httpx.AsyncClient(timeout=10) as sink:
            sent = (await sink.get(stack.sink_url + "/")).json()
        return [m for m in sent if m["channel"] == "email" and m["to"] == ["sun.li@dealer.example"]]

    [mail] = await eventually(mailed, timeout=30)
    assert "热点警报" in mail["subject"] and "/console/notifications/" in mail["body"]
