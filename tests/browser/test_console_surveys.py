"""The survey screen in a real browser: the CS survey and training owner (CS调查和培训担当) reads the dealer's
CSI index and NPS as the API computes them, the monthly trend chart with its table, CS弱项查找, and the
open hot alert a dissatisfied customer just raised, all in Chinese."""

import uuid
from datetime import date

import httpx
import pytest
from playwright.async_api import expect

from crm_devstack.pytest_plugin import eventually

from .support import admin_headers, axe_violations, described, screenshot, survey_link
from .test_console_session import TEMPORARY, first_sign_in, staff_user

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]

RATED = ("fixed_first_time", "work_thoroughness", "ready_on_time", "charges_explained", "lounge_comfort",
         "facility_clean", "advisor_courtesy", "advisor_explained", "appointment_ease", "reception_speed")


def answers(lounge: int, recommend: int) -> dict:
    """Every CSI question rated 9 but the lounge: the weakness the dealer should find."""
    return {**{question: 9 for question in RATED}, "lounge_comfort": lounge, "recommend": recommend}


def months_back(count: int) -> str:
    serial = date.today().year * 12 + date.today().month - 1 - count
    return f"{serial // 12:04d}-{serial % 12 + 1:02d}"


async def dealer_with_csi(stack, dealer: str) -> tuple[dict, dict]:
    """Six months of the previous vendor's CSI results (a peer dealer's lounge rated better), and one customer
    who rates the lounge 2 today."""
    invitation = await survey_link(stack, dealer)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        rows = [{"external_id": f"V-{dealer}-{n}", "customer_id": str(uuid.uuid4()), "kind": "csi",
                 "answered_at": f"{months_back(n % 6)}-05T10:00:00+08:00", "answers": answers(5, 6 + n % 5)}
                for n in range(12)]
        imported = await client.post("/api/v1/surveys/responses/import", json={"dealer_id": dealer,
                                                                              "responses": rows})
        assert imported.status_code in (200, 201), imported.text
        peers = [{**row, "external_id": f"P-{row['external_id']}", "answers": answers(9, 9)} for row in rows]
        benchmark = await client.post("/api/v1/surveys/responses/import", json={  # a peer with a fine lounge
            "dealer_id": f"{dealer}-PEER", "responses": peers})
        assert benchmark.status_code in (200, 201), benchmark.text
        answered = await client.post(invitation["link_path"], json={"answers": answers(2, 3)})
        assert answered.status_code == 201, answered.text

        async def alert():
            listed = (await client.get("/api/v1/surveys/alerts", params={"status": "open"})).json()["items"]
            return next((a for a in listed if a["dealer_id"] == dealer), None)

        raised = await eventually(alert, timeout=60, interval=0.5)
        overview = (await client.get(f"/api/v1/surveys/analytics/dealers/{dealer}", params={"kind": "csi"})).json()
    return overview, raised


async def test_the_survey_owner_reads_index_nps_trend_weaknesses_and_hot_alerts(stack, gateway, desktop):
    page = desktop.page
    dealer = f"D-SUR-{uuid.uuid4().hex[:6].upper()}"
    overview, alert = await dealer_with_csi(stack, dealer)
    assert overview["responses"] == 13
    username = await staff_user(stack, "cs_survey_training_owner", dealer, name="孙丽")
    await first_sign_in(page, gateway, username)
    await page.goto(gateway + "/console/")
    await page.get_by_role("link", name="满意度调查").click()
    await expect(page.get_by_role("heading", name="满意度调查与CS弱项查找")).to_be_visible()
    figures = page.get_by_role("region", name="售后满意度（CSI）指数（千分制）")
    await expect(figures).to_contain_text(f"售后满意度（CSI）指数{overview['index']:,.1f}")
    await expect(figures).to_contain_text(f"净推荐值（NPS）{overview['nps']:+.1f}")
    await expect(figures).to_contain_text("服务设施")  # factor scores named in Chinese
    chart = figures.locator("svg")
    await expect(chart).to_contain_text("指数（分，满分1,000）")
    await expect(chart).to_contain_text(f"{date.today().month}月")
    trend = figures.get_by_role("table").nth(1)
    await expect(trend).to_contain_text(date.today().strftime("%Y-%m"))

    weak = page.get_by_role("region", name="CS弱项查找（低于全网的因子和题目，影响最大者在前）")
    await expect(weak.get_by_role("row").nth(1)).to_contain_text("服务设施")  # the costliest factor first
    await expect(weak).to_contain_text("休息区的舒适度")  # and the question behind it

    alerts = page.get_by_role("region", name="热点警报（未处理）")
    await expect(alerts).to_contain_text(alert["question_text"])
    await expect(alerts).to_contain_text("2.0")
    await open_the_alerts_case(page, alerts, stack, alert)

    async with page.expect_download() as download:
        await figures.get_by_role("link", name="下载此表（CSV）").click()
    text = (await (await download.value).path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "月份,指数（千分制）,NPS,回答数,回答率"

    assert not (violations := await axe_violations(page)), described(violations)
    await screenshot(page, "console-surveys")


async def open_the_alerts_case(page, alerts, stack, alert) -> None:
    """Care opens the case itself once it hears of the alert; until then the owner opens it here. Either way the
    alert ends up 已立案, linked to a case care's API holds for this customer."""
    button = alerts.get_by_role("button", name="立案")
    if await button.count():
        await button.click()
    link = alerts.get_by_role("link", name="已立案")
    await expect(link).to_be_visible()
    case_id = (await link.get_attribute("href")).rsplit("/", 1)[1]
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        case = (await client.get(f"/api/v1/care/cases/{case_id}")).json()
        listed = (await client.get("/api/v1/care/cases", params={"customer_id": alert["customer_id"]})).json()
    assert case["customer_id"] == alert["customer_id"]
    assert case["state"] == "open"
    assert [c["id"] for c in listed["items"]].count(case_id) == 1


async def network_user(stack) -> str:
    """A carmaker analyst: every dealer (`*`), no personal data."""
    username = f"carmaker.{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        created = await client.post("/api/v1/admin/users", json={
            "username": username, "password": TEMPORARY, "display_name": "周强", "roles": ["carmaker_analyst"],
            "dealers": ["*"]})
        assert created.status_code == 201, created.text
    return username


async def test_a_carmaker_analyst_sees_the_network_ranking(stack, gateway, desktop):
    page = desktop.page
    dealer = f"D-SUR-{uuid.uuid4().hex[:6].upper()}"
    await dealer_with_csi(stack, dealer)
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        ranking = (await client.get("/api/v1/surveys/analytics/network", params={"kind": "csi"})).json()
    ours = next(d for d in ranking["dealers"] if d["dealer_id"] == dealer)
    username = await network_user(stack)
    await first_sign_in(page, gateway, username)
    await page.goto(f"{gateway}/console/surveys")
    table = page.get_by_role("region", name="全网经销商售后满意度（CSI）排名")
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=dealer, exact=True))
    await expect(row).to_contain_text(f"{ours['index']:,.1f}")
    await expect(page.get_by_role("region", name="热点警报（未处理）")).to_have_count(0)
    assert not (violations := await axe_violations(page)), described(violations)
    await screenshot(page, "console-surveys-ranking")


async def test_the_survey_owner_records_a_phone_follow_up(stack, gateway, desktop):
    """回访: the owner calls a customer who has not answered, reads each question out and records the answers.
    An empty form is refused question by question and stores nothing; the full one is one phone response."""
    page = desktop.page
    dealer = f"D-SUR-{uuid.uuid4().hex[:6].upper()}"
    invitation = await survey_link(stack, dealer)
    username = await staff_user(stack, "cs_survey_training_owner", dealer, name="孙丽")
    await first_sign_in(page, gateway, username)
    await page.goto(f"{gateway}/console/surveys")
    await page.get_by_role("link", name="电话回访（待回访的调查）").click()
    due = page.get_by_role("region", name="待回访的调查（已发送未回答或已过期）")
    await expect(due).to_contain_text("已发送未回答")
    assert not (violations := await axe_violations(page)), described(violations)
    await screenshot(page, "console-survey-follow-ups")
    await due.get_by_role("link", name="电话回访").first.click()

    await expect(page.get_by_role("heading", name="记录电话回访")).to_be_visible()
    await expect(page.get_by_role("group", name="休息区的舒适度")).to_be_visible()
    await page.get_by_role("button", name="保存回访").click()
    await expect(page.get_by_role("alert")).to_contain_text("有回答未被接受")
    assert await phone_responses(stack, invitation["customer_id"]) == []

    for group in await page.get_by_role("group").all():
        radios = group.get_by_role("radio")
        if await radios.count():
            await (group.get_by_label("8", exact=True) if await group.get_by_label("8", exact=True).count()
                   else radios.first).check()
        for select in await group.get_by_role("combobox").all():
            await select.select_option("8")
    await page.get_by_role("group", name="休息区的舒适度").get_by_label("3", exact=True).check()
    assert not (violations := await axe_violations(page)), described(violations)
    await screenshot(page, "console-survey-phone")
    await page.get_by_role("button", name="保存回访").click()
    await expect(page.get_by_role("status")).to_contain_text("回访已记录")
    recorded = await phone_responses(stack, invitation["customer_id"])
    assert len(recorded) == 1 and recorded[0]["answers"]["lounge_comfort"] == 3


async def phone_responses(stack, customer_id: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        listed = await client.get("/api/v1/surveys/responses", params={"customer_id": customer_id, "channel": "phone"})
    assert listed.status_code == 200, listed.text
    return listed.json()["items"]


async def dealer_template(stack, dealer: str) -> dict:
    """The dealer's own CSI questionnaire, a draft copied from the network's shipped one."""
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        shipped = next(t for t in (await client.get("/api/v1/surveys/templates", params={"kind": "csi"})).json()
                       if t["dealer_id"] is None)
        created = await client.post("/api/v1/surveys/templates", json={
            "name": "本店CSI问卷", "dealer_id": dealer, "definition": shipped["definition"]})
    assert created.status_code == 201, created.text
    return created.json()


async def test_the_survey_owner_edits_previews_and_publishes_a_template_version(stack, gateway, desktop):
    """A colleague saves the same draft meanwhile: the owner sees both texts side by side, re-applies, publishes."""
    page = desktop.page
    dealer = f"D-SUR-{uuid.uuid4().hex[:6].upper()}"
    template = await dealer_template(stack, dealer)
    username = await staff_user(stack, "cs_survey_training_owner", dealer, name="孙丽")
    await first_sign_in(page, gateway, username)
    await page.goto(f"{gateway}/console/surveys")
    await page.get_by_role("link", name="问卷模板（编辑与发布）").click()
    listed = page.get_by_role("region", name="本店可用的问卷模板（最新版本）")
    await expect(listed.get_by_role("row").filter(has_text="本店CSI问卷")).to_contain_text("草稿")
    assert not (violations := await axe_violations(page)), described(violations)
    await screenshot(page, "console-survey-templates")
    await listed.get_by_role("link", name="本店CSI问卷").click()

    lounge = page.get_by_role("group", name="lounge_comfort")
    await lounge.get_by_label("题目（中文）").fill("休息区是否舒适安静")
    await page.get_by_role("button", name="预览").click()
    await expect(page.get_by_role("region", name="预览：客户看到的题目")).to_contain_text("休息区是否舒适安静")

    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:  # a colleague saves the draft meanwhile
        theirs = template["definition"]
        theirs["questions"] = [{**q, "text": {"zh-CN": "休息室的舒适程度"}} if q["id"] == "lounge_comfort" else q
                               for q in theirs["questions"]]
        path = f"/api/v1/surveys/templates/{template['template_id']}"
        read = await client.get(path)
        saved = await client.put(path, json={"definition": theirs}, headers={"If-Match": read.headers["ETag"]})
        assert saved.status_code == 200, saved.text
    await page.get_by_role("button", name="发布新版本").click()
    conflict = page.get_by_role("alert").filter(has_text="模板已被他人修改")
    await expect(conflict).to_contain_text("休息室的舒适程度")
    await expect(conflict).to_contain_text("休息区是否舒适安静")
    assert not (violations := await axe_violations(page)), described(violations)
    await screenshot(page, "console-survey-template-conflict")

    await page.get_by_role("button", name="发布新版本").click()  # re-apply mine on top of theirs
    await expect(page.get_by_role("status")).to_contain_text("第1版已发布")
    async with httpx.AsyncClient(base_url=stack.url("gateway"), headers=await admin_headers(stack),
                                 timeout=15) as client:
        versions = (await client.get(f"/api/v1/surveys/templates/{template['template_id']}/versions")).json()
    newest = versions[-1]
    assert newest["status"] == "published"
    question = next(q for q in newest["definition"]["questions"] if q["id"] == "lounge_comfort")
    assert question["text"]["zh-CN"] == "休息区是否舒适安静"
    await screenshot(page, "console-survey-template")
