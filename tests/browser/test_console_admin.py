"""Administration in a real browser: the dealer administrator sees only their dealer's users, creates a CS
planner whose temporary password is shown once, and that person signs in with it and is made to change it."""

import uuid

import pytest
from playwright.async_api import expect

from .support import axe_violations, described, open_tab, screenshot
from .test_console_session import CHOSEN, SUBMIT, first_sign_in, sign_in, staff_user

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]


async def test_the_dealer_admin_creates_a_user_who_must_change_the_temporary_password(stack, gateway, browser,
                                                                                       desktop):
    page = desktop.page
    dealer = f"D-ADM-{uuid.uuid4().hex[:6].upper()}"
    elsewhere = await staff_user(stack, "advisor", f"D-ADM-{uuid.uuid4().hex[:6].upper()}", name="外店顾问")
    admin = await staff_user(stack, "dealer_admin", dealer, name="孙丽")
    await first_sign_in(page, gateway, admin)
    await page.goto(gateway + "/console/")
    await page.get_by_role("link", name="系统管理").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("系统管理")
    users = page.locator("table")
    await expect(users).to_contain_text(admin)
    await expect(users).to_contain_text("经销商管理员")
    await expect(users).not_to_contain_text(elsewhere)  # another dealer's user is not theirs to see

    # A username that cannot be one is named on its field and nobody is created.
    await page.get_by_label("用户名").fill("王 伟")
    await page.get_by_role("button", name="创建用户").click()
    await expect(page.locator("#username-error")).to_contain_text("用户名须为", **SUBMIT)

    newcomer = f"planner.{uuid.uuid4().hex[:6]}"
    await page.get_by_label("用户名").fill(newcomer)
    await page.get_by_label("姓名").fill("赵磊")
    await page.get_by_label("角色").select_option(label="CS企划担当")
    await page.get_by_role("button", name="创建用户").click()
    await expect(page.get_by_text(f"已创建用户 {newcomer}")).to_be_visible(**SUBMIT)
    password = (await page.locator("#temporary-password").text_content()).strip()
    assert len(password) >= 10
    row = users.get_by_role("row").filter(has_text=newcomer)
    await expect(row).to_contain_text("CS企划担当")
    await expect(row).to_contain_text("待修改临时密码")
    await screenshot(page, "console-admin")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    await page.goto(gateway + "/console/admin")  # shown once: opening the page again does not show it
    await expect(page.locator("#temporary-password")).to_have_count(0)

    tab = await open_tab(browser, phone=False)
    try:
        await sign_in(tab.page, gateway, newcomer, password)
        await expect(tab.page).to_have_url(f"{gateway}/console/password", **SUBMIT)
        await tab.page.get_by_label("当前密码").fill(password)
        await tab.page.get_by_label("新密码", exact=True).fill(CHOSEN)
        await tab.page.get_by_label("再次输入新密码").fill(CHOSEN)
        await tab.page.get_by_role("button", name="保存新密码").click()
        await expect(tab.page.get_by_role("status")).to_have_text("密码已修改。", **SUBMIT)
        await tab.page.goto(gateway + "/console/")
        await expect(tab.page.get_by_role("link", name="客户细分")).to_be_visible()
        await expect(tab.page.get_by_role("link", name="系统管理")).to_have_count(0)
    finally:
        await tab.context.close()
