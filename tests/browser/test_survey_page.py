"""The customer answers a survey on a phone: 360×740, in Chinese, with and without JavaScript, through
the gateway of the real stack; every page is checked by axe-core and nothing loads from elsewhere."""

import re

import pytest
from playwright.async_api import Page, expect

from .support import axe_violations, described, expire_now, screenshot, survey_link

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]

RATED = ["一次修复率", "维修保养的细致程度", "是否按承诺时间交车", "取车时费用的解释", "休息区的舒适度", "服务区的整洁",
         "服务顾问的礼貌", "服务顾问对维修项目的解释", "预约的便利性", "到店接待的速度"]
RECOMMEND = "您向亲友推荐本店的可能性有多大"


async def rate(page: Page, question: str, score: int) -> None:
    group = page.get_by_role("group", name=question).first
    await group.get_by_role("radio", name=str(score), exact=True).check()


async def no_serious_violations(page: Page) -> None:
    violations = await axe_violations(page)
    assert violations == [], described(violations)


async def test_a_customer_answers_in_chinese_on_a_phone_and_sending_twice_shows_the_first_answer(
        stack, gateway, phone, browser):
    invitation = await survey_link(stack, "D-BROWSER-SURVEY")
    page, link = phone.page, gateway + invitation["link_path"]

    opened = await page.goto(link)
    assert opened.status == 200
    await expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    await expect(page.get_by_role("heading", level=1)).to_have_text("售后服务满意度调查 (CSI)")
    for question in [*RATED, RECOMMEND]:
        await expect(page.get_by_role("group", name=question).first).to_be_visible()
    await expect(page.get_by_role("button", name="提交问卷")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing runs off the side
    await screenshot(page, "survey-questionnaire-zh")
    await no_serious_violations(page)

    # The same link open in a second tab, as when the customer taps the SMS link twice.
    other_tab = await phone.context.new_page()
    await other_tab.goto(link)

    await rate(page, RATED[0], 9)
    await rate(page, RATED[1], 8)
    await page.get_by_role("button", name="提交问卷").click()
    summary = page.get_by_role("alert")
    await expect(summary).to_contain_text("还有问题需要您的回答")
    await expect(summary.get_by_role("link")).to_have_count(len(RATED) - 2 + 1)
    await expect(summary.get_by_role("link", name=RECOMMEND)).to_be_visible()
    await expect(page.get_by_role("group", name=RATED[0]).get_by_role("radio", name="9", exact=True)).to_be_checked()
    await screenshot(page, "survey-missing-answers-zh")
    await no_serious_violations(page)

    for question in RATED[2:]:
        await rate(page, question, 9)
    await rate(page, RECOMMEND, 10)
    await page.get_by_role("textbox", name="其他意见或建议").fill("服务顾问很耐心")
    await page.get_by_role("button", name="提交问卷").click()
    await expect(page).to_have_url(link + "/thanks")
    await expect(page.get_by_role("heading", level=1)).to_have_text("感谢您的宝贵意见！")
    await expect(page.get_by_text("服务顾问很耐心")).to_be_visible()
    await screenshot(page, "survey-thanks-zh")
    await no_serious_violations(page)

    for question in RATED:
        await rate(other_tab, question, 2)
    await rate(other_tab, RECOMMEND, 0)
    await other_tab.get_by_role("button", name="提交问卷").click()
    await expect(other_tab).to_have_url(link)
    await expect(other_tab.get_by_role("heading", level=1)).to_have_text("您已经回答过这份问卷")
    await expect(other_tab.get_by_text(re.compile(r"您已于 \d{4}年\d{1,2}月\d{1,2}日 提交了回答"))).to_be_visible()
    await expect(other_tab.get_by_text("10 分（0–10）")).to_be_visible()
    await expect(other_tab.get_by_text("0 分（0–10）", exact=True)).to_have_count(0)
    await screenshot(other_tab, "survey-already-answered-zh")
    await no_serious_violations(other_tab)

    unknown = await page.goto(gateway + "/s/" + "x" * 32)
    assert unknown.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("找不到这份问卷")
    await screenshot(page, "survey-unknown-link-zh")
    await no_serious_violations(page)

    assert phone.requests.outside(gateway) == []


async def test_without_javascript_the_keyboard_and_the_form_work_and_a_low_score_asks_what_went_wrong(
        stack, gateway, phone_without_javascript):
    tab = phone_without_javascript
    invitation = await survey_link(stack, "D-BROWSER-SURVEY", name="李静")
    page, link = tab.page, gateway + invitation["link_path"]
    await page.goto(link)
    # The keyboard alone: the language switch, then question by question; arrows pick within a scale.
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="English")).to_be_focused()
    await page.keyboard.press("Tab")
    first_question = page.get_by_role("group", name=RATED[0])
    await expect(first_question.get_by_role("radio", name="1", exact=True)).to_be_focused()
    await page.keyboard.press("ArrowRight")
    await expect(first_question.get_by_role("radio", name="2", exact=True)).to_be_checked()
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("group", name=RATED[1]).get_by_role("radio", name="1", exact=True)).to_be_focused()

    complaint = page.get_by_role("textbox", name="请告诉我们哪里让您不满意")
    await expect(complaint).to_be_hidden()

    for question in RATED:
        await rate(page, question, 6)
    await rate(page, RECOMMEND, 3)
    await expect(complaint).to_be_visible()  # shown by CSS alone, for a detractor's score
    await complaint.fill("等待时间太长")
    await screenshot(page, "survey-no-javascript-detractor-zh")
    await page.get_by_role("button", name="提交问卷").click()

    await expect(page).to_have_url(link + "/thanks")
    await expect(page.get_by_role("heading", level=1)).to_have_text("感谢您的宝贵意见！")
    await expect(page.get_by_text("等待时间太长")).to_be_visible()
    await expect(page.get_by_text("3 分（0–10）")).to_be_visible()
    assert tab.requests.outside(gateway) == []


async def test_an_expired_link_gets_a_kind_page(stack, gateway, phone):
    invitation = await survey_link(stack, "D-BROWSER-SURVEY", name="王芳")
    await expire_now(stack, invitation["id"])
    page = phone.page
    answer = await page.goto(gateway + invitation["link_path"])
    assert answer.status == 410
    await expect(page.get_by_role("heading", level=1)).to_have_text("这份问卷已经结束")
    await expect(page.get_by_text("感谢您的关注")).to_be_visible()
    await screenshot(page, "survey-expired-zh")
    await no_serious_violations(page)
    assert phone.requests.outside(gateway) == []
