"""The merged API docs at the gateway's /docs work offline: Swagger UI comes from the gateway itself."""

import pytest
from playwright.async_api import expect

from .support import screenshot

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]


async def test_docs_list_every_services_operations_and_nothing_loads_from_elsewhere(gateway, desktop):
    page = desktop.page
    opened = await page.goto(gateway + "/docs")
    assert opened.status == 200
    # The gateway merges five OpenAPI documents and the browser parses a 1.7 MB script: on a busy
    # 2-core machine that takes more than the default five seconds.
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("Dealer Retention CRM API",
                                                                          timeout=60_000)
    # Swagger UI draws a long document's operations as they are scrolled to, as a reader would scroll.
    for path in ("/auth/token", "/api/v1/customers", "/api/v1/surveys/templates", "/api/v1/care/tasks",
                 "/api/v1/kpis/grasp-rate"):
        operation = page.locator(f'.opblock-summary-path[data-path="{path}"]').first
        await page.evaluate("window.scrollTo(0, 0)")
        for _ in range(300):  # an operation scrolled past too fast is never drawn: a reader's pace
            if await operation.count():
                break
            await page.mouse.wheel(0, 600)
            await page.wait_for_timeout(150)
        await expect(operation).to_be_visible()
    # 150 operations: the filter box finds a service's by its tag.
    await expect(page.get_by_placeholder("Filter by tag")).to_be_visible()
    await expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    await screenshot(page, "docs", full_page=False)

    assert desktop.requests.outside(gateway) == []
    assert {gateway + "/docs/assets/swagger-ui-bundle.js", gateway + "/docs/assets/swagger-ui.css",
            gateway + "/openapi.json"} <= set(desktop.requests.urls)
