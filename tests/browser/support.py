"""What browser tests share: a phone-sized page that records every request, axe-core, screenshots, and
a survey link that went out for real.

Playwright's async API throughout: the suite runs under pytest-asyncio's session loop, where the sync
API refuses to start.
"""

import json
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.async_api import Browser, BrowserContext, Page, Request

from crm_devstack.pytest_plugin import eventually
from crm_devstack.stack import REPO, Stack

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SCREENSHOTS = REPO / ".run" / "screenshots"
# WeChat's in-app browser on a small Android phone.
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
SERIOUS = ("serious", "critical")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class RequestLog:
    """Every request a page (or a whole context) made, in order."""

    urls: list[str] = field(default_factory=list)

    def record(self, request: Request) -> None:
        self.urls.append(request.url)

    def outside(self, origin: str) -> list[str]:
        """Requests that left `origin` (data: and about: URLs stay in the page)."""
        return [url for url in self.urls if url.startswith(("http:", "https:", "ws:", "wss:"))
                and origin_of(url) != origin_of(origin)]


def record_requests(target: Page | BrowserContext) -> RequestLog:
    log = RequestLog()
    target.on("request", log.record)
    return log


@dataclass
class Tab:
    page: Page
    context: BrowserContext
    requests: RequestLog


async def open_tab(browser: Browser, *, phone: bool = True, javascript: bool = True, locale: str = "zh-CN") -> Tab:
    """A fresh context (no cookies or cache shared with other tests) with one page that records requests."""
    options = {**(PHONE if phone else {"viewport": {"width": 1280, "height": 900}}), "locale": locale,
               "java_script_enabled": javascript, "extra_http_headers": {"Accept-Language": f"{locale};q=1"}}
    context = await browser.new_context(**options)
    requests = record_requests(context)
    return Tab(await context.new_page(), context, requests)


async def axe_violations(page: Page, impacts: tuple[str, ...] = SERIOUS) -> list[dict]:
    """axe-core's violations of at least `impacts`, each reduced to rule, impact, help and the elements.

    Evaluated through the DevTools protocol, so the page's own Content-Security-Policy (which allows no
    script) does not stop it, and it runs in a context with JavaScript switched off as well.
    """
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    results = await page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "elements": [node["html"][:200] for node in v["nodes"]]}
            for v in results["violations"] if v["impact"] in impacts]


def described(violations: list[dict]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=2)


async def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    """`.run/screenshots/<name>.png` (git-ignored): look at them as the customer would see the page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=full_page)
    return path


async def admin_headers(stack: Stack) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=15) as client:
        response = await client.post("/auth/token", data={"grant_type": "password", "username": "admin",
                                                          "password": stack.admin_password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def survey_link(stack: Stack, dealer: str, *, language: str = "zh-CN", name: str = "张敏") -> dict:
    """A CSI invitation sent for real: a customer with survey consent by SMS has a closed service visit.

    The dealer's CSI goes out at once and care sends the SMS at once (no quiet hours), so the text with
    the link also reaches the message sink. Returns the invitation (its `link_path`) and `mobile`.
    """
    headers = await admin_headers(stack)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=headers, timeout=15) as client:
        current = await client.get(f"/api/v1/surveys/settings/{dealer}")
        settings = await client.put(f"/api/v1/surveys/settings/{dealer}", json={"csi_delay_hours": 0},
                                    headers={"If-Match": current.headers["ETag"]})
        assert settings.status_code == 200, settings.text
        current = await client.get(f"/api/v1/care/contact-policy/{dealer}")
        policy = await client.put(f"/api/v1/care/contact-policy/{dealer}",
                                  headers={"If-Match": current.headers["ETag"]},
                                  json={"quiet_start": "00:00", "quiet_end": "00:00", "cap": 100, "cap_days": 1})
        assert policy.status_code == 200, policy.text
        mobile = f"139{random.randint(0, 99_999_999):08d}"
        created = await client.post("/api/v1/customers", json={"name": name, "mobile": mobile, "dealer_id": dealer,
                                                                "language": language})
        assert created.status_code == 201, created.text
        customer_id = created.json()["id"]
        consent = await client.post(f"/api/v1/customers/{customer_id}/consents", json={
            "purpose": "survey", "channel": "sms", "granted": True, "source": "service reception"})
        assert consent.status_code in (200, 201), consent.text
        visit = await client.post("/api/v1/visits", json={
            "customer_id": customer_id, "kind": "service", "subkind": "maintenance",
            "visited_on": date.today().isoformat(), "amount": "680.00",
            "order_number": f"RO-{random.randint(0, 999_999):06d}", "closed": True})
        assert visit.status_code == 201, visit.text

        async def sent():
            listed = await client.get("/api/v1/surveys/invitations", params={"customer_id": customer_id})
            items = listed.json()["items"] if listed.status_code == 200 else []
            return items if items and items[0]["status"] == "sent" else None

        [invitation] = await eventually(sent, timeout=60)
    return {**invitation, "mobile": mobile}


async def expire_now(stack: Stack, invitation_id: str) -> None:
    """Make the invitation's time run out, as fifteen days would (direct SQL only to make time pass)."""
    import sqlalchemy as sa

    from crm_kit.db import create_engine

    engine = create_engine(stack.postgres.url("crm_survey"), pool_size=1)
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.text("UPDATE invitations SET expires_at = now() - interval '1 second' "
                                             "WHERE id = :i"), {"i": invitation_id})
    finally:
        await engine.dispose()
