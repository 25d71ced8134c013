"""The KPI screen in a real browser: the CS information manager reads grasp rate and active ratio by vehicle
age (车龄) as the dealer's manual draws them, the monthly trend, churn and the distributions, each with its
table and CSV, and the figures are the API's."""

import asyncio
import csv
import random
import uuid
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect

from crm_devstack.pytest_plugin import eventually

from .support import admin_headers, axe_violations, described, screenshot
from .test_console_customer360 import china_vin
from .test_console_session import first_sign_in, staff_user

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]


async def dealer_with_cars(stack, dealer: str) -> dict:
    """Two owners: a two-year-old car serviced last month (grasped), a five-year-old one not seen for three
    years (lost). Returns the API's grasp-rate report once segmentation has counted both."""
    today = date.today()
    cars = ((today - timedelta(days=2 * 365 + 40), today - timedelta(days=30)),
            (today - timedelta(days=5 * 365 + 40), today - timedelta(days=3 * 365)))
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        for number, (delivered, serviced) in enumerate(cars):
            serial = random.randint(0, 999_999)
            customer = (await client.post("/api/v1/customers", json={
                "name": f"车主{number}", "mobile": f"137{random.randint(0, 99_999_999):08d}",
                "dealer_id": dealer})).json()
            vehicle = await client.post("/api/v1/vehicles", json={
                "customer_id": customer["id"], "vin": china_vin(serial), "brand": "丰田", "model": "凯美瑞",
                "delivery_date": delivered.isoformat()})
            assert vehicle.status_code == 201, vehicle.text
            visit = await client.post("/api/v1/visits", json={
                "customer_id": customer["id"], "vehicle_id": vehicle.json()["id"], "kind": "service",
                "subkind": "repair", "visited_on": serviced.isoformat(), "amount": "880.00",
                "order_number": f"RO-{serial}"})
            assert visit.status_code == 201, visit.text

        async def counted():
            report = (await client.get("/api/v1/kpis/grasp-rate", params={"dealer_id": dealer})).json()
            return report if report["total"]["sold"] == 2 else None

        return await eventually(counted, timeout=90, interval=0.5)


async def test_grasp_rate_by_vehicle_age_matches_the_api_and_downloads_as_csv(stack, gateway, desktop):
    page = desktop.page
    dealer = f"D-KPI-{uuid.uuid4().hex[:6].upper()}"
    report = await dealer_with_cars(stack, dealer)
    username = await staff_user(stack, "cs_information_manager", dealer, name="吴磊")
    await first_sign_in(page, gateway, username)
    await page.goto(gateway + "/console/")
    await page.get_by_role("link", name="经营指标").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("经营指标")
    panel = page.locator("section").filter(has=page.get_by_role("heading", name="按车龄的客户掌握率与活跃客户比例"))
    chart = panel.get_by_role("img", name="按车龄的客户掌握率与活跃客户比例")
    await expect(chart).to_be_visible()
    for label in ("车龄", "比例（%）", "不足1年", "1年", "2年", "5年", "10年及以上", "客户掌握率", "活跃客户比例",
                  "0%", "100%"):
        await expect(chart.get_by_text(label, exact=True).first).to_be_attached()

    table = panel.get_by_role("table")
    for row in report["by_age"]:
        if row["grasp_rate"] is None:
            continue
        label = {0: "不足1年", 10: "10年及以上"}.get(row["age_years"], f"{row['age_years']}年")
        shown = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label, exact=True))
        await expect(shown).to_contain_text(f"{row['grasp_rate'] * 100:.1f}%")
        await expect(shown).to_contain_text(f"{row['active_ratio'] * 100:.1f}%")
        await expect(chart.get_by_text(f"{row['grasp_rate'] * 100:.0f}%", exact=True).first).to_be_attached()
    two = next(r for r in report["by_age"] if r["age_years"] == 2)
    assert two["grasp_rate"] == 1.0  # the car serviced last month
    total = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="合计"))
    await expect(total).to_contain_text(f"{report['total']['grasp_rate'] * 100:.1f}%")

    for heading in ("客户掌握率与活跃客户比例月度趋势", "价值类型分布", "生命周期分布", "RFM分群分布", "ABC分类分布"):
        await expect(page.get_by_role("heading", name=heading)).to_be_visible()
    trend = page.get_by_role("img", name="客户掌握率与活跃客户比例月度趋势")
    this_month = date.today()
    await expect(trend.get_by_text(f"{this_month.month}月", exact=True).last).to_be_attached()
    await expect(trend.get_by_text(f"{this_month.year}年", exact=True)).to_be_attached()
    await expect(page.get_by_role("rowheader", name=f"{this_month.year}年{this_month.month}月").first).to_be_visible()
    await expect(page.get_by_role("heading", name="月度流失率", exact=False)).to_be_visible()
    await expect(page.locator("main")).not_to_contain_text("暂不可用")
    await screenshot(page, "console-kpis")
    await page.emulate_media(media="print")
    await screenshot(page, "console-kpis-print")
    await expect(page.get_by_role("navigation", name="主菜单")).to_be_hidden()  # printed without the header
    await page.emulate_media(media="screen")
    violations = await axe_violations(page)
    assert violations == [], described(violations)

    async with page.expect_download() as download_info:
        await panel.get_by_role("link", name="下载此表（CSV）").click()
    download = await download_info.value
    text = await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0][:4] == ["车龄", "本店售出车辆", "仍在回厂", "客户掌握率"]
    assert rows[3][:4] == ["2年", "1", "1", "100.0%"]
    assert desktop.requests.outside(gateway) == []
