"""The dev message sink shows, in Chinese, the SMS care sent with a survey link that opens the survey."""

import pytest
from playwright.async_api import expect

from crm_devstack.pytest_plugin import eventually

from .support import axe_violations, described, screenshot, survey_link

pytestmark = [pytest.mark.timeout(240), pytest.mark.slow]


async def test_the_sink_page_lists_the_survey_sms_and_its_link_opens_the_survey(stack, gateway, desktop):
    invitation = await survey_link(stack, "D-BROWSER-SINK", name="赵磊")
    page = desktop.page
    message = page.locator("li").filter(has_text=invitation["mobile"])

    async def listed():
        await page.goto(stack.sink_url + "/")
        return await message.count() == 1

    await eventually(listed, timeout=60, interval=1)
    await expect(page.get_by_role("heading", level=1)).to_have_text("已发送的消息")
    await expect(message).to_contain_text("短信")
    await expect(message).to_contain_text("收件人：" + invitation["mobile"])
    await expect(message).to_contain_text("满意度调查")
    await expect(message).to_contain_text("赵磊您好，请花一分钟评价我们的服务：" + gateway + invitation["link_path"])
    link = message.get_by_role("link", name=gateway + invitation["link_path"]).first
    await expect(link).to_be_visible()
    await screenshot(page, "sink-page")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    await link.click()
    await expect(page).to_have_url(gateway + invitation["link_path"])
    await expect(page.get_by_role("heading", level=1)).to_have_text("售后服务满意度调查 (CSI)")
