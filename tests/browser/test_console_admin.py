"""Administration in a real browser: the dealer administrator sees only their dealer's users, creates a CS
planner whose temporary password is shown once, and that person signs in with it and is made to change it;
changes a colleague's roles (a stale page is told so), disables them so they cannot sign in, enables them again
and resets their password; reads what each role may do and which partners reach the dealer."""

import re
import uuid

import httpx
import pytest
from playwright.async_api import expect

from .support import admin_headers, axe_violations, described, open_tab, screenshot
from .test_console_session import CHOSEN, SUBMIT, TEMPORARY, first_sign_in, sign_in, staff_user

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


async def _change_through_the_api(stack, user_id: str, change: dict) -> None:
    """A colleague's change made meanwhile, as any API client makes it: read the user, then PATCH with its ETag."""
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        current = await client.get(f"/api/v1/admin/users/{user_id}")
        assert current.status_code == 200, current.text
        tagged = {"If-Match": current.headers["ETag"]} if "ETag" in current.headers else {}
        changed = await client.patch(f"/api/v1/admin/users/{user_id}", json=change, headers=tagged)
        assert changed.status_code == 200, changed.text


async def test_the_dealer_admin_changes_roles_disables_enables_and_resets_a_colleague(stack, gateway, browser,
                                                                                      desktop):
    page = desktop.page
    dealer = f"D-ADM-{uuid.uuid4().hex[:6].upper()}"
    admin = await staff_user(stack, "dealer_admin", dealer, name="孙丽")
    colleague = await staff_user(stack, "advisor", dealer, name="李娜")
    await first_sign_in(page, gateway, admin, then="/console/admin")
    await page.goto(gateway + "/console/admin")
    await page.get_by_role("link", name=colleague).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("李娜")
    await expect(page.locator("#user-roles")).to_have_text("销售/服务顾问")
    user_id = page.url.rsplit("/", 1)[1]

    await page.get_by_label("CS企划担当").check()
    await page.get_by_role("button", name="保存角色").click()
    await expect(page.get_by_role("status")).to_have_text("角色已保存。", **SUBMIT)
    await expect(page.locator("#user-roles")).to_have_text("CS企划担当、销售/服务顾问")

    # A colleague renames her while this page is open: saving on the stale page changes nothing and says so.
    await _change_through_the_api(stack, user_id, {"display_name": "李娜（售后）"})
    await page.get_by_label("CS企划担当").uncheck()
    await page.get_by_role("button", name="保存角色").click()
    await expect(page.get_by_role("alert")).to_contain_text("有人修改了这位用户", **SUBMIT)
    await expect(page.get_by_role("heading", level=1)).to_have_text("李娜（售后）")
    await expect(page.locator("#user-roles")).to_have_text("CS企划担当、销售/服务顾问")

    await page.get_by_role("link", name="停用此用户").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("停用用户")
    await expect(page.get_by_text("此人无法再登录系统")).to_be_visible()
    violations = await axe_violations(page)
    assert violations == [], described(violations)
    await page.get_by_role("button", name="确认停用").click()
    await expect(page.get_by_role("status")).to_have_text("已停用该用户，其无法再登录。", **SUBMIT)
    await expect(page.locator("#user-state")).to_have_text("已停用")
    await screenshot(page, "console-admin-user")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    tab = await open_tab(browser, phone=False)
    try:
        await sign_in(tab.page, gateway, colleague, TEMPORARY)
        await expect(tab.page.get_by_text("用户名或密码不正确。")).to_be_visible(**SUBMIT)
        await expect(tab.page).to_have_url(re.compile(r"/console/signin"))

        await page.get_by_role("button", name="重新启用此用户").click()
        await expect(page.get_by_role("status")).to_have_text("已重新启用该用户。", **SUBMIT)
        await page.get_by_role("link", name="重置密码").click()
        await expect(page.get_by_text("原密码立即失效")).to_be_visible()
        await page.get_by_role("button", name="确认重置").click()
        await expect(page.get_by_text(f"已为 {colleague} 重置密码")).to_be_visible(**SUBMIT)
        password = (await page.locator("#temporary-password").text_content()).strip()
        assert len(password) >= 12
        await expect(page.locator("#user-state")).to_have_text("待修改临时密码")

        await sign_in(tab.page, gateway, colleague, password)
        await expect(tab.page).to_have_url(f"{gateway}/console/password", **SUBMIT)
        await tab.page.goto(gateway + "/console/customers")  # nowhere else until a new password is chosen
        await expect(tab.page).to_have_url(f"{gateway}/console/password")
    finally:
        await tab.context.close()


async def test_the_roles_page_says_what_each_role_may_do_and_partners_are_listed_without_a_create_form(
        stack, gateway, desktop):
    page = desktop.page
    admin = await staff_user(stack, "dealer_admin", f"D-ADM-{uuid.uuid4().hex[:6].upper()}", name="孙丽")
    await first_sign_in(page, gateway, admin, then="/console/admin")
    await page.goto(gateway + "/console/admin")
    await page.get_by_role("link", name="角色与权限").click()
    planner = page.get_by_role("region", name="CS企划担当")
    await expect(planner).to_contain_text("创建和修改客户细分")
    await expect(planner).not_to_contain_text("查看完整手机号")
    await expect(page.get_by_role("region", name="CR活动担当")).to_contain_text("查看完整手机号和证件号")
    await expect(page.get_by_role("region", name="厂家分析员")).to_contain_text("厂家/系统")
    await screenshot(page, "console-admin-roles")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    await page.get_by_role("link", name="API客户端").click()
    await expect(page.get_by_role("heading", level=2, name="API客户端", exact=True)).to_be_visible()
    await expect(page.get_by_text("由总部系统管理员办理")).to_be_visible()
    await expect(page.get_by_role("button", name="创建API客户端")).to_have_count(0)
    violations = await axe_violations(page)
    assert violations == [], described(violations)
    assert desktop.requests.outside(gateway) == []


async def test_a_network_administrator_opens_a_partner_client_whose_secret_works_once_shown(stack, gateway,
                                                                                             browser, desktop):
    dealer = f"D-ADM-{uuid.uuid4().hex[:6].upper()}"
    dealer_admin = await staff_user(stack, "dealer_admin", dealer, name="孙丽")
    network_admin = f"hq.{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        made = await client.post("/api/v1/admin/users", json={
            "username": network_admin, "password": TEMPORARY, "display_name": "总部管理员",
            "roles": ["system_admin"], "dealers": ["*"]})
        assert made.status_code == 201, made.text
    page = desktop.page
    await first_sign_in(page, gateway, network_admin)
    await page.goto(gateway + "/console/")
    await page.get_by_role("link", name="系统管理").click()
    await expect(page.get_by_role("heading", level=2, name="API客户端", exact=True)).to_be_visible()

    partner = f"insurer.{uuid.uuid4().hex[:6]}"
    await page.get_by_label("客户端ID").fill(partner)
    await page.get_by_label("合作方名称").fill("平安财险")
    await page.get_by_label("经销商（多个用逗号分隔）").fill(dealer)
    await page.get_by_label("查询客户、车辆和进店记录").check()
    await page.get_by_label("新客户登记").check()
    await page.get_by_role("button", name="创建API客户端").click()
    await expect(page.get_by_text(f"已创建API客户端 {partner}")).to_be_visible(**SUBMIT)
    await expect(page.get_by_text("密钥只显示这一次")).to_be_visible()
    secret = (await page.locator("#client-secret").text_content()).strip()
    await screenshot(page, "console-admin-clients")
    violations = await axe_violations(page)
    assert violations == [], described(violations)
    async with httpx.AsyncClient(base_url=gateway, timeout=15) as client:
        granted = await client.post("/auth/token", data={"grant_type": "client_credentials", "client_id": partner,
                                                         "client_secret": secret})
    assert granted.status_code == 200, granted.text

    # The dealer's own administrator sees which partner reaches their customers, and what it may do.
    tab = await open_tab(browser, phone=False)
    try:
        await first_sign_in(tab.page, gateway, dealer_admin)
        await tab.page.goto(gateway + "/console/admin/clients")
        row = tab.page.get_by_role("row").filter(has_text=partner)
        await expect(row).to_contain_text("平安财险")
        await expect(row).to_contain_text("查询客户、车辆和进店记录")
        await expect(row).to_contain_text("新客户登记")
        await expect(tab.page.locator("#client-secret")).to_have_count(0)
    finally:
        await tab.context.close()


async def test_a_network_administrator_rotates_a_partner_secret_and_disables_the_client(stack, gateway, desktop):
    partner = f"roadside.{uuid.uuid4().hex[:6]}"
    network_admin = f"hq.{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        made = await client.post("/api/v1/admin/users", json={
            "username": network_admin, "password": TEMPORARY, "display_name": "总部管理员",
            "roles": ["system_admin"], "dealers": ["*"]})
        assert made.status_code == 201, made.text
        created = await client.post("/api/v1/admin/clients", json={
            "client_id": partner, "name": "道路救援", "dealers": ["*"], "scope": ["customers:read"]})
        assert created.status_code == 201, created.text
    old_secret = created.json()["client_secret"]

    async def grant(secret: str) -> int:
        async with httpx.AsyncClient(base_url=gateway, timeout=15) as client:
            return (await client.post("/auth/token", data={
                "grant_type": "client_credentials", "client_id": partner, "client_secret": secret})).status_code

    page = desktop.page
    await first_sign_in(page, gateway, network_admin)
    await page.goto(gateway + "/console/admin/clients")
    row = page.get_by_role("row").filter(has_text=partner)
    await row.get_by_role("link", name=re.compile("^更换密钥")).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("更换客户端密钥")
    violations = await axe_violations(page)
    assert violations == [], described(violations)
    await page.get_by_role("button", name="确认更换密钥").click()
    await expect(page.get_by_text(f"已为 {partner} 更换密钥")).to_be_visible(**SUBMIT)
    await expect(page.get_by_text("密钥只显示这一次")).to_be_visible()
    new_secret = (await page.locator("#client-secret").text_content()).strip()
    assert await grant(old_secret) == 401
    assert await grant(new_secret) == 200

    await page.goto(gateway + "/console/admin/clients")  # the secret is not shown again
    await expect(page.locator("#client-secret")).to_have_count(0)
    await row.get_by_role("link", name=re.compile("^停用")).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("停用API客户端")
    await page.get_by_role("button", name="确认停用").click()
    await expect(row).to_contain_text("已停用", **SUBMIT)
    assert await grant(new_secret) == 401
    await row.get_by_role("link", name=re.compile("^启用")).click()
    await page.get_by_role("button", name="确认启用").click()
    await expect(row.get_by_role("link", name=re.compile("^停用"))).to_be_visible(**SUBMIT)
    assert await grant(new_secret) == 200
    assert desktop.requests.outside(gateway) == []
