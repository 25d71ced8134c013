"""The survey link in a browser: an HTML questionnaire, a form post answered with a redirect, the kind
pages; API clients on the same path keep their JSON. Real PostgreSQL and Kafka, the app in-process."""

import re

import pytest

from .conftest import csi_at_once, good_csi, invitations_of

pytestmark = pytest.mark.timeout(180)

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
           "Accept-Language": "zh-CN,zh;q=0.9"}


async def sent_link(client, headers, upstream, language="zh-CN") -> tuple[dict, str]:
    await csi_at_once(client, headers)
    customer_id = await upstream.customer(language=language)
    await upstream.visit(customer_id)
    [invitation] = await invitations_of(client, headers, customer_id, status="sent")
    return invitation, invitation["link_path"]


def form_of(answers: dict) -> dict[str, str]:
    return {key: str(value) for key, value in answers.items()}


def checked(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{re.escape(name)}" value="([^"]+)" checked', html)


async def test_a_browser_gets_the_questionnaire_and_an_api_client_still_gets_json(client, auth, upstream):
    headers = auth()
    invitation, link = await sent_link(client, headers, upstream)

    page = await client.get(link, headers=BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in page.text and "<h1>售后服务满意度调查 (CSI)</h1>" in page.text
    assert "<legend" in page.text and 'name="recommend" value="0"' in page.text and "<script" not in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    english = await client.get(link, headers=BROWSER, params={"lang": "en"})
    assert '<html lang="en">' in english.text and "Send my answers" in english.text
    assert (await client.get(f"/api/v1/surveys/invitations/{invitation['id']}", headers=headers)
            ).json()["status"] == "opened"

    api = await client.get(link)
    assert api.headers["content-type"] == "application/json" and api.json()["kind"] == "csi"


async def test_a_form_missing_answers_comes_back_with_what_was_chosen_and_nothing_is_stored(
        client, auth, upstream, database):
    _, link = await sent_link(client, auth(), upstream)
    partial = form_of(good_csi(ready_on_time=None, recommend=None))
    partial = {k: v for k, v in partial.items() if v != "None"}
    refused = await client.post(link, headers=BROWSER, data={**partial, "comment": "还行"})

    assert refused.status_code == 422 and refused.headers["content-type"].startswith("text/html")
    summary = refused.text.split('class="error-summary"')[1].split("</div>")[0]
    assert re.findall(r'href="#q-([a-z_]+)"', summary) == ["ready_on_time", "recommend"]
    assert "是否按承诺时间交车" in summary and "您向亲友推荐本店的可能性有多大" in summary
    assert checked(refused.text, "fixed_first_time") == ["9"] and checked(refused.text, "recommend") == []
    assert ">还行</textarea>" in refused.text
    assert await database("SELECT count(*) FROM responses") == [(0,)]


async def test_answered_once_by_form_then_thanked_and_a_second_post_shows_the_first_answer(
        client, auth, upstream, database):
    headers = auth()
    invitation, link = await sent_link(client, headers, upstream)
    first = form_of(good_csi(comment="服务很好"))
    first.update({"expectation_vs_experience.expectation": "7", "expectation_vs_experience.experience": "9"})

    taken = await client.post(link, headers=BROWSER, data=first)
    assert taken.status_code == 303 and taken.headers["location"] == f"{link}/thanks"
    thanks = await client.get(taken.headers["location"], headers=BROWSER)
    assert thanks.status_code == 200 and "感谢您的宝贵意见！" in thanks.text
    assert "期望 7 分，体验 9 分" in thanks.text and "服务很好" in thanks.text

    again = await client.post(link, headers=BROWSER, data=form_of(good_csi(recommend=0)))
    assert again.status_code == 303 and again.headers["location"] == link
    shown = await client.get(link, headers=BROWSER)
    assert "您已经回答过这份问卷" in shown.text and re.search(r"您已于 \d{4}年\d{1,2}月\d{1,2}日 提交", shown.text)
    assert "9 分（0–10）" in shown.text and "0 分（0–10）" not in shown.text
    assert await database("SELECT count(*) FROM responses") == [(1,)]
    [stored] = (await client.get("/api/v1/surveys/responses", headers=headers,
                                 params={"customer_id": invitation["customer_id"]})).json()["items"]
    assert stored["channel"] == "web" and stored["nps"] == 9 and stored["free_text"] == {"comment": "服务很好"}
    assert stored["answers"]["expectation_vs_experience"] == {"expectation": 7, "experience": 9}


async def test_unknown_and_expired_links_get_a_kind_page_with_the_same_status(client, auth, upstream, database):
    unknown = await client.get("/s/" + "x" * 32, headers=BROWSER)
    assert unknown.status_code == 404 and "找不到这份问卷" in unknown.text
    assert '<html lang="zh-CN">' in unknown.text
    english = await client.get("/s/" + "x" * 32, headers={**BROWSER, "Accept-Language": "en-US,en;q=0.9"})
    assert english.status_code == 404 and "We cannot find this survey" in english.text
    assert (await client.post("/s/" + "x" * 32, headers=BROWSER, data={"recommend": "9"})).status_code == 404
    cut_short = await client.get("/s/x3Fq9", headers=BROWSER)  # a link cut off in an SMS
    assert cut_short.status_code == 404 and "找不到这份问卷" in cut_short.text
    refused = await client.get("/s/x3Fq9")
    assert refused.status_code == 422 and [e["name"] for e in refused.json()["errors"]] == ["token"]

    invitation, link = await sent_link(client, auth(), upstream)
    await database("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = :i",
                   i=invitation["id"])
    expired = await client.get(link, headers=BROWSER)
    assert expired.status_code == 410 and "这份问卷已经结束" in expired.text
    posted = await client.post(link, headers=BROWSER, data=form_of(good_csi()))
    assert posted.status_code == 410 and "这份问卷已经结束" in posted.text
    assert await database("SELECT count(*) FROM responses") == [(0,)]
