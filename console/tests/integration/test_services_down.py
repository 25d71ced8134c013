"""A page stands when a service behind it is down: each section says "暂不可用", the rest is shown.

The console talks to a real gateway (in-process, on this test's own database) whose survey and care
upstreams point at a port nothing listens on; customer and segmentation are the suite's real services.
"""

import re
import uuid

import httpx
import pytest

from crm_console.main import create_app
from crm_console.settings import ConsoleSettings
from crm_devstack.kafka import free_port
from crm_devstack.pytest_plugin import running
from crm_gateway.main import create_app as create_gateway
from crm_gateway.settings import GatewaySettings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

ADMIN_PASSWORD = "admin-test-password"
PASSWORD = "Shanghai-2026-autumn"


@pytest.fixture
async def gateway(stack, settings_for, topic):
    nowhere = f"http://127.0.0.1:{free_port()}"
    settings = settings_for(
        GatewaySettings, signing_key=stack.signing_key(), bootstrap_admin_password=ADMIN_PASSWORD,
        customer_url=stack.url("customer"), segmentation_url=stack.url("segmentation"), survey_url=nowhere,
        care_url=nowhere, idempotent_retries=0, webhook_topics=[topic],
        webhook_consumer_group=f"test-{uuid.uuid4().hex[:8]}")
    app = create_gateway(settings)
    async with running(app) as client:
        client.app = app
        yield client


@pytest.fixture
async def console(gateway):
    app = create_app(ConsoleSettings(environment="test", log_json=False),
                     gateway_transport=httpx.ASGITransport(app=gateway.app))
    async with running(app) as client:
        yield client


async def signed_in(gateway, console, dealer: str) -> str:
    """A CS information manager of `dealer` who chose a password, signed in to the console; a customer id."""
    token = (await gateway.post("/auth/token", data={"grant_type": "password", "username": "admin",
                                                     "password": ADMIN_PASSWORD})).json()["access_token"]
    admin = {"Authorization": f"Bearer {token}"}
    await gateway.post("/api/v1/admin/dealers", headers=admin, json={"id": dealer, "name": "丰田4S店"})
    username = f"cs.{uuid.uuid4().hex[:8]}"
    await gateway.post("/api/v1/admin/users", headers=admin, json={
        "username": username, "password": "temporary-pass-1", "roles": ["cs_information_manager"],
        "dealers": [dealer]})
    own = (await gateway.post("/auth/token", data={"grant_type": "password", "username": username,
                                                   "password": "temporary-pass-1"})).json()["access_token"]
    changed = await gateway.post("/api/v1/me/password", headers={"Authorization": f"Bearer {own}"},
                                 json={"current_password": "temporary-pass-1", "new_password": PASSWORD})
    assert changed.status_code == 204, changed.text
    customer = await gateway.post("/api/v1/customers", headers=admin, json={
        "name": "孙丽", "mobile": "13912345678", "dealer_id": dealer})
    assert customer.status_code == 201, customer.text

    page = await console.get("/console/signin")
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
    answer = await console.post("/console/signin", data={"username": username, "password": PASSWORD,
                                                          "csrf_token": csrf, "next": "/console/"})
    assert answer.status_code == 303 and answer.headers["location"] == "/console/", answer.text
    return customer.json()["id"]


def section_of(html: str, heading: str) -> str:
    start = html.index(f">{heading}</h2>")
    return html[start:html.index("</section>", start)]


async def test_customer_360_shows_what_it_can_and_marks_each_section_of_a_service_that_is_down(gateway, console):
    customer_id = await signed_in(gateway, console, "D-DOWN-1")
    page = await console.get(f"/console/customers/{customer_id}")
    assert page.status_code == 200, page.text
    assert "孙丽" in page.text and "139 1234 5678" in page.text  # the customer service answered
    for heading in ("问卷回答", "关怀任务", "消息", "投诉"):  # survey and care are down
        assert "暂不可用" in section_of(page.text, heading), heading
    for heading in ("车辆", "来店记录", "授权（按用途和渠道）", "客户画像"):
        assert "暂不可用" not in section_of(page.text, heading), heading


async def test_home_shows_the_dealer_figures_while_care_and_surveys_are_down(gateway, console):
    await signed_in(gateway, console, "D-DOWN-2")
    page = await console.get("/console/")
    assert page.status_code == 200, page.text
    assert "客户掌握率" in page.text  # segmentation answered
    for heading in ("待处理的热点警报", "即将超时的投诉"):
        assert "暂不可用" in section_of(page.text, heading), heading
