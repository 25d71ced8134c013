"""Webhooks in a real browser: a dealer administrator subscribes a partner's endpoint to new customers, sees the
delivery in the log once a customer is registered (retried after the partner's first refusal), and sends it
again after a confirmation; the partner receives it twice, signed each time."""

import json
import re
import uuid

import httpx
import pytest
from aiohttp import web
from playwright.async_api import Page, expect
from standardwebhooks import Webhook

from crm_devstack.kafka import free_port
from crm_devstack.pytest_plugin import eventually

from .support import admin_headers, axe_violations, described, screenshot
from .test_console_session import SUBMIT, first_sign_in, staff_user

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]


class Partner:
    """The partner's endpoint: verifies each signature, refuses the first call (503), then takes them (204)."""

    def __init__(self):
        self.secret: str | None = None
        self.refusals = [503]
        self.received: list[dict] = []
        self.port = free_port()

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        Webhook(self.secret).verify(body, dict(request.headers))  # raises on a bad signature: the test sees 500s
        if self.refusals:
            return web.Response(status=self.refusals.pop(0))
        self.received.append(json.loads(body))
        return web.Response(status=204)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/crm"


@pytest.fixture
async def partner():
    endpoint = Partner()
    app = web.Application()
    app.router.add_post("/hooks/crm", endpoint.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", endpoint.port).start()
    yield endpoint
    await runner.cleanup()


async def _register_customer(stack, dealer: str, name: str) -> str:
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        made = await client.post("/api/v1/customers", json={
            "name": name, "mobile": f"139{uuid.uuid4().int % 100_000_000:08d}", "dealer_id": dealer})
        assert made.status_code == 201, made.text
        return made.json()["id"]


async def _log_shows(page: Page, row: str, *texts: str) -> None:
    """The log is a page, not a live feed: read it again until the row with `row` says what is expected."""
    async def shown() -> bool:
        await page.reload()
        rows = page.locator("#delivery-log tbody tr").filter(has_text=row)
        content = await rows.last.text_content() if await rows.count() else ""
        return all(text in content for text in texts)
    await eventually(shown, timeout=60, interval=1)


async def test_a_dealer_admin_subscribes_a_partner_reads_the_delivery_log_and_sends_an_event_again(
        stack, gateway, desktop, partner):
    page = desktop.page
    dealer = f"D-HOOK-{uuid.uuid4().hex[:6].upper()}"
    admin = await staff_user(stack, "dealer_admin", dealer, name="孙丽")
    await first_sign_in(page, gateway, admin, then="/console/admin")
    await page.goto(gateway + "/console/admin")
    await page.get_by_role("link", name="Webhook订阅").click()
    await expect(page.get_by_text("还没有订阅。")).to_be_visible()

    await page.get_by_label("推送地址").fill(partner.url)
    await page.get_by_role("button", name="创建订阅").click()  # no event chosen: said, nothing created
    await expect(page.get_by_role("alert")).to_have_text("请至少选择一个事件。", **SUBMIT)
    await expect(page.get_by_label("推送地址")).to_have_value(partner.url)

    await page.get_by_label("新客户登记").check()
    await page.get_by_role("button", name="创建订阅").click()
    await expect(page.get_by_role("heading", name="已创建订阅")).to_be_visible(**SUBMIT)
    await expect(page.get_by_text("签名密钥只显示这一次")).to_be_visible()
    partner.secret = (await page.locator("#webhook-secret").text_content()).strip()
    listed = page.get_by_role("row").filter(has_text=partner.url)
    await expect(listed).to_contain_text("新客户登记")
    await expect(listed).to_contain_text("正常")
    await screenshot(page, "console-admin-webhooks")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    customer_id = await _register_customer(stack, dealer, "周凯")
    await listed.get_by_role("link").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Webhook订阅详情")
    # The partner refused the first call; the retry five seconds later is taken, and the log says both.
    await _log_shows(page, "新客户登记", "已送达")
    row = page.locator("#delivery-log tbody tr").first
    await expect(row.locator("td").nth(2)).to_have_text("2")
    assert [e["subject"] for e in partner.received] == [customer_id]
    await screenshot(page, "console-admin-webhook-log")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    await row.get_by_role("link", name=re.compile(r"^重发 ")).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("重发推送")
    await expect(page.get_by_text("新客户登记")).to_be_visible()
    violations = await axe_violations(page)
    assert violations == [], described(violations)
    await page.get_by_role("button", name="确认重发").click()
    await expect(page.get_by_role("status")).to_have_text("已重新排队 1 条推送。", **SUBMIT)
    replayed = page.locator("#delivery-log tbody tr").filter(has_text="再次推送")
    await expect(replayed).to_contain_text("新客户登记")
    await _log_shows(page, "再次推送", "已送达")

    async def received_twice() -> bool:
        return len(partner.received) == 2
    await eventually(received_twice)
    assert [e["subject"] for e in partner.received] == [customer_id, customer_id]
    assert desktop.requests.outside(gateway) == []


async def test_a_paused_subscription_sends_the_held_event_on_resume_and_one_delivery_is_sent_again_alone(
        stack, gateway, desktop, partner):
    page = desktop.page
    partner.refusals = []
    dealer = f"D-HOLD-{uuid.uuid4().hex[:6].upper()}"
    admin = await staff_user(stack, "dealer_admin", dealer, name="孙丽")
    await first_sign_in(page, gateway, admin, then="/console/admin/webhooks")
    await page.goto(gateway + "/console/admin/webhooks")
    await page.get_by_label("推送地址").fill(partner.url)
    await page.get_by_label("新客户登记").check()
    await page.get_by_role("button", name="创建订阅").click()
    partner.secret = (await page.locator("#webhook-secret").text_content()).strip()
    await page.get_by_role("row").filter(has_text=partner.url).get_by_role("link").click()

    await page.get_by_role("link", name="暂停推送").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("暂停推送")
    violations = await axe_violations(page)
    assert violations == [], described(violations)
    await page.get_by_role("button", name="确认暂停").click()
    await expect(page.get_by_text("已暂停", exact=True)).to_be_visible(**SUBMIT)
    held = await _register_customer(stack, dealer, "吴敏")
    await _log_shows(page, "新客户登记", "暂停中，恢复后推送")
    assert partner.received == []

    await page.get_by_role("link", name="恢复推送").click()
    await page.get_by_role("button", name="确认恢复").click()
    await _log_shows(page, "新客户登记", "已送达")

    async def arrived(count: int):
        async def check() -> bool:
            return len(partner.received) >= count
        return check
    await eventually(await arrived(1))
    later = await _register_customer(stack, dealer, "郑洁")
    await eventually(await arrived(2))
    assert [e["subject"] for e in partner.received] == [held, later]

    # The log is newest first: its last row is the held event's delivery.
    held_row = page.locator("#delivery-log tbody tr").filter(has_text="新客户登记").last
    await held_row.get_by_role("link", name=re.compile("^重发此条")).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("重发此条推送")
    await page.get_by_role("button", name="确认重发此条").click()
    await expect(page.get_by_role("status")).to_have_text("已重新排队这一条推送。", **SUBMIT)
    await eventually(await arrived(3))

    async def attempted() -> bool:
        await page.reload()
        return await page.locator("#attempts tbody tr").count() == 1
    await eventually(attempted, timeout=60, interval=1)
    await expect(page.locator("#attempts tbody tr")).to_contain_text("HTTP 204")
    await screenshot(page, "console-admin-webhook-attempts")
    violations = await axe_violations(page)
    assert violations == [], described(violations)
    assert [e["subject"] for e in partner.received] == [held, later, held]  # that event once more, no other
    assert desktop.requests.outside(gateway) == []
