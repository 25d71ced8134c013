"""/console/ is routed to the staff console, on the API's origin: pages, form posts, redirects and every
cookie the console sets pass the gateway untouched."""

import re

import pytest

from crm_devstack.pytest_plugin import running
from crm_gateway.main import create_app

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture
async def edge(stack, gateway_settings):
    settings = gateway_settings(signing_key=stack.signing_key(), console_url=stack.url("console"),
                                **{f"{s}_url": stack.url(s) for s in ("customer", "segmentation", "survey", "care")})
    async with running(create_app(settings)) as client:
        yield client


async def test_console_pages_forms_redirects_and_cookies_pass_through(stack, edge):
    page = await edge.get("/console/signin")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "登录" in page.text and "crm_csrf" in page.headers["set-cookie"]
    assert (await edge.get("/console")).headers["location"] == "/console/"
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)

    signed_in = await edge.post("/console/signin", data={"username": "admin", "password": stack.admin_password,
                                                          "csrf_token": csrf, "next": "/console/"})
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/console/"
    cookies = signed_in.headers.get_list("set-cookie")
    assert {c.split("=")[0] for c in cookies} >= {"crm_access", "crm_refresh"}
    assert all("HttpOnly" in c and "SameSite=strict" in c and "Path=/console" in c for c in cookies)
    home = await edge.get("/console/")
    assert home.status_code == 200 and "经销商概况" in home.text
