"""The staff console's session in a real browser: first sign-in, CSRF, signed-out pages, sign-out.

Each test signs in a user of its own, created by an administrator with a temporary password (as a
dealer administrator would), so the shared demo logins stay as they are for other suites.
"""

import uuid

import httpx
import pytest
from playwright.async_api import Page, expect

from .support import admin_headers, axe_violations, described, screenshot

pytestmark = [pytest.mark.timeout(240), pytest.mark.slow]

TEMPORARY = "temporary-pass-1"
CHOSEN = "Beijing-2026-winter"
# A submit waits on the gateway (argon2 hashing, token issue) on a shared 2-core box: allow it time.
SUBMIT = {"timeout": 20_000}
PAGES = ("/console/", "/console/customers", "/console/customers/" + str(uuid.uuid4()), "/console/password")


async def staff_user(stack, role: str, dealer: str, name: str = "陈静") -> str:
    """A new user of `dealer` with one role and a temporary password; returns the username."""
    username = f"{role.split('_')[0]}.{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        made = await client.post("/api/v1/admin/dealers", json={"id": dealer, "name": f"丰田4S店 {dealer[-1]}"})
        assert made.status_code in (201, 409), made.text
        created = await client.post("/api/v1/admin/users", json={
            "username": username, "password": TEMPORARY, "display_name": name, "roles": [role],
            "dealers": [dealer]})
        assert created.status_code == 201, created.text
    return username


async def sign_in(page: Page, gateway: str, username: str, password: str, then: str = "/console/") -> None:
    await page.goto(f"{gateway}/console/signin?next={then}")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码", exact=True).fill(password)
    await page.get_by_role("button", name="登录").click()


async def first_sign_in(page: Page, gateway: str, username: str, then: str = "/console/") -> None:
    """Sign in with the temporary password and choose one's own, as the console insists."""
    await sign_in(page, gateway, username, TEMPORARY, then)
    await expect(page).to_have_url(f"{gateway}/console/password", **SUBMIT)
    await page.get_by_label("当前密码").fill(TEMPORARY)
    await page.get_by_label("新密码", exact=True).fill(CHOSEN)
    await page.get_by_label("再次输入新密码").fill(CHOSEN)
    await page.get_by_role("button", name="保存新密码").click()
    await expect(page.get_by_role("status")).to_have_text("密码已修改。", **SUBMIT)


async def test_a_first_sign_in_must_choose_a_password_before_anything_else(stack, gateway, desktop):
    page = desktop.page
    username = await staff_user(stack, "cs_information_manager", "D-CONSOLE-1")
    await page.goto(f"{gateway}/console/signin")
    await screenshot(page, "console-signin")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    await sign_in(page, gateway, username, "not the password")
    await expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确。", **SUBMIT)

    await sign_in(page, gateway, username, TEMPORARY)
    await expect(page).to_have_url(f"{gateway}/console/password", **SUBMIT)
    await expect(page.get_by_role("status")).to_contain_text("临时密码")
    # Every other page sends the user back here until the password is changed.
    await page.goto(f"{gateway}/console/customers")
    await expect(page).to_have_url(f"{gateway}/console/password")
    await screenshot(page, "console-password-forced")

    await page.get_by_label("当前密码").fill(TEMPORARY)
    await page.get_by_label("新密码", exact=True).fill("short")
    await page.get_by_label("再次输入新密码").fill("short")
    await page.get_by_role("button", name="保存新密码").click()
    await expect(page.locator("#new_password-error")).to_have_text("新密码至少需要12个字符。", **SUBMIT)

    await page.get_by_label("当前密码").fill(TEMPORARY)
    await page.get_by_label("新密码", exact=True).fill(CHOSEN)
    await page.get_by_label("再次输入新密码").fill(CHOSEN)
    await page.get_by_role("button", name="保存新密码").click()
    await expect(page.get_by_role("status")).to_have_text("密码已修改。", **SUBMIT)
    await page.get_by_role("link", name="进入首页").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("陈静，您好")
    assert desktop.requests.outside(gateway) == []


async def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(stack, gateway, desktop):
    page = desktop.page
    username = await staff_user(stack, "advisor", "D-CONSOLE-1", name="刘洋")
    await first_sign_in(page, gateway, username)
    # Another site's form cannot know the token: the same browser, cookies and all, posts without it.
    hijack = "Hijacked-pass-99"
    for target, form in (("/console/language", {"language": "en", "next": "/console/"}),
                         ("/console/password", {"current_password": CHOSEN, "new_password": hijack,
                                                "repeat_password": hijack})):
        refused = await page.request.post(gateway + target, form=form, max_redirects=0)
        assert refused.status == 403
        assert "请求已被拒绝" in await refused.text()
    await page.goto(gateway + "/console/")
    await expect(page.locator("html")).to_have_attribute("lang", "zh-CN")  # the language did not change
    async with httpx.AsyncClient(base_url=gateway, timeout=15) as client:
        still = await client.post("/auth/token", data={"grant_type": "password", "username": username,
                                                       "password": CHOSEN})
    assert still.status_code == 200  # nor did the password


async def test_a_signed_out_browser_reaches_no_page_but_the_sign_in(gateway, desktop):
    page = desktop.page
    for path in PAGES:
        await page.goto(gateway + path)
        await expect(page).to_have_url(f"{gateway}/console/signin?next={path}")
        await expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    refused = await page.request.post(gateway + "/console/dealer", form={"dealer": "D-CONSOLE-1"}, max_redirects=0)
    assert refused.status == 403  # no session and no token: nothing is done


async def test_signing_out_revokes_the_refresh_token_at_the_gateway(stack, gateway, desktop):
    page = desktop.page
    username = await staff_user(stack, "cr_activity_owner", "D-CONSOLE-1", name="王芳")
    await first_sign_in(page, gateway, username)
    cookies = {c["name"]: c for c in await desktop.context.cookies()}
    refresh = cookies["crm_refresh"]
    assert refresh["httpOnly"] and refresh["sameSite"] == "Strict" and refresh["path"] == "/console"

    await page.goto(gateway + "/console/")
    await page.get_by_role("button", name="退出登录").click()
    await expect(page).to_have_url(f"{gateway}/console/signin?signed_out=1", **SUBMIT)
    await expect(page.get_by_role("status")).to_have_text("您已安全退出。")
    async with httpx.AsyncClient(base_url=gateway, timeout=15) as client:
        reused = await client.post("/auth/token", data={"grant_type": "refresh_token",
                                                        "refresh_token": refresh["value"]})
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    await page.goto(gateway + "/console/")
    await expect(page).to_have_url(f"{gateway}/console/signin?next=/console/")
