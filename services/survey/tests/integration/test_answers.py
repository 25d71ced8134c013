"""The public answer flow behind /s/{token}, hot alerts, follow-ups after a resolved complaint, phone calls."""

from datetime import UTC, datetime, timedelta

import pytest

from crm_devstack.pytest_plugin import eventually, running
from crm_survey.main import create_app
from crm_survey.settings import SurveySettings

from .conftest import csi_at_once, good_csi, invitations_of

pytestmark = pytest.mark.timeout(180)


async def sent_invitation(client, headers, upstream, **customer):
    await csi_at_once(client, headers)
    customer_id = await upstream.customer(**customer)
    await upstream.visit(customer_id)
    [invitation] = await invitations_of(client, headers, customer_id, status="sent")
    return customer_id, invitation


async def test_questionnaire_in_the_customers_language_bad_answers_refused_then_answered_once(
        client, auth, upstream, survey_events, database):
    headers = auth()
    customer, invitation = await sent_invitation(client, headers, upstream, language="en")
    link = invitation["link_path"]

    shown = await client.get(link)
    assert shown.status_code == 200
    questionnaire = shown.json()
    assert questionnaire["language"] == "en" and questionnaire["kind"] == "csi"
    recommend = next(q for q in questionnaire["questions"] if q["id"] == "recommend")
    assert recommend == {"id": "recommend", "type": "nps", "required": True, "min": 0, "max": 10,
                         "text": "How likely are you to recommend this dealer to a friend or colleague? (0–10)"}
    assert (await client.get(link, params={"lang": "zh-CN"})).json()["title"] == "售后服务满意度调查 (CSI)"
    assert (await client.get(f"/api/v1/surveys/invitations/{invitation['id']}", headers=headers)
            ).json()["status"] == "opened"

    bad = good_csi(fixed_first_time=11, recommend=None, what_went_wrong="?", colour="red")
    refused = await client.post(link, json={"answers": bad})
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert {(e["pointer"], e["detail"]) for e in refused.json()["errors"]} == {
        ("/answers/fixed_first_time", "a whole number from 1 to 10"),
        ("/answers/recommend", "an answer is required"),
        ("/answers/what_went_wrong", "this question is not shown for your earlier answers"),
        ("/answers/colour", "not a question of this survey")}
    assert (await client.post(link, json={"answers": {}, "extra": 1})).status_code == 422
    assert await database("SELECT count(*) FROM responses") == [(0,)]

    answered = await client.post(link, json={"answers": good_csi(comment="服务很好")})
    assert answered.status_code == 201, answered.text
    again = await client.post(link, json={"answers": good_csi(recommend=0)})
    assert again.status_code == 200 and again.json() == answered.json()
    assert answered.json()["message"] == "Thank you for your feedback!"
    assert (await client.get(link)).json()["response"]["response_id"] == answered.json()["response_id"]

    stored = (await client.get(f"/api/v1/surveys/responses/{answered.json()['response_id']}", headers=headers)).json()
    assert stored["index"] == pytest.approx(811.0) and stored["nps_category"] == "promoter"
    assert stored["channel"] == "web" and stored["free_text"] == {"comment": "服务很好"}
    events = await survey_events(customer, count=2)
    assert [e.type for e in events] == ["crm.survey.invitation.created.v1", "crm.survey.response.recorded.v1"]
    recorded = events[1].data
    assert recorded["index"] == pytest.approx(811.0) and recorded["factor_scores"]["vehicle_pickup"] == 7.0
    assert recorded["nps"] == 9 and "服务很好" not in events[1].to_json().decode()  # scores, never free text


async def test_unknown_and_expired_links_get_clear_problems_and_expiry_is_announced(
        client, auth, upstream, survey_events, database):
    headers = auth()
    assert (await client.get("/s/" + "x" * 32)).json()["type"] == "urn:crm:problem:survey-unknown"
    assert (await client.post("/s/" + "x" * 32, json={"answers": good_csi()})).status_code == 404
    assert (await client.get("/s/short")).status_code == 422
    customer, invitation = await sent_invitation(client, headers, upstream)
    await database("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE id = :i",
                   i=invitation["id"])

    gone = await client.post(invitation["link_path"], json={"answers": good_csi()})
    assert gone.status_code == 410 and gone.json()["type"] == "urn:crm:problem:survey-expired"
    assert (await client.get(invitation["link_path"])).status_code == 410
    [expired] = await invitations_of(client, headers, customer, status="expired")
    assert expired["expired_at"] is not None
    events = await survey_events(customer, count=2)
    assert [e.type for e in events] == ["crm.survey.invitation.created.v1", "crm.survey.invitation.expired.v1"]
    assert events[1].data["invitation_id"] == invitation["id"]


async def test_a_poor_answer_raises_a_hot_alert_and_its_resolution_sends_a_follow_up_later(
        client, auth, upstream, survey_events):
    headers = auth()
    customer, invitation = await sent_invitation(client, headers, upstream)
    answers = good_csi(ready_on_time=2, recommend=3, what_went_wrong="车辆没有按时交付")
    assert (await client.post(invitation["link_path"], json={"answers": answers})).status_code == 201

    events = await survey_events(customer, count=3)
    assert [e.type for e in events] == ["crm.survey.invitation.created.v1", "crm.survey.response.recorded.v1",
                                        "crm.survey.hot_alert.raised.v1"]
    alert = events[2].data
    assert (alert["question_id"], alert["score"], alert["comment"]) == ("ready_on_time", 2, "车辆没有按时交付")
    assert alert["question_text"] == "是否按承诺时间交车" and alert["survey_kind"] == "csi"
    [listed] = (await client.get("/api/v1/surveys/alerts", headers=headers, params={"status": "open"})).json()["items"]
    assert listed["id"] == alert["alert_id"]

    resolved_at = datetime.now(UTC)
    case_id = await upstream.resolve(customer, alert["alert_id"], resolved_at=resolved_at)
    both = await invitations_of(client, headers, customer, count=2)
    follow_up = next(i for i in both if i["kind"] == "follow_up")
    assert follow_up["status"] == "scheduled" and follow_up["case_id"] == str(case_id)
    assert datetime.fromisoformat(follow_up["send_at"]) == resolved_at + timedelta(days=10)
    closed = (await client.get("/api/v1/surveys/alerts", headers=headers, params={"status": "resolved"})).json()
    assert [(a["id"], a["case_id"]) for a in closed["items"]] == [(alert["alert_id"], str(case_id))]


async def test_staff_record_a_phone_follow_up_after_the_link_expired(client, auth, upstream, database):
    headers = auth(subject="agent-7")
    _, invitation = await sent_invitation(client, headers, upstream)
    await database("UPDATE invitations SET expires_at = now() WHERE id = :i", i=invitation["id"])
    await invitations_of(client, headers, invitation["customer_id"], status="expired")
    path = f"/api/v1/surveys/invitations/{invitation['id']}/phone-follow-up"

    refused = await client.post(path, headers=headers, json={"answers": good_csi(recommend=12)})
    assert [e["pointer"] for e in refused.json()["errors"]] == ["/answers/recommend"]
    assert (await client.post(path, headers=auth(scope=["surveys:read"]), json={"answers": good_csi()})
            ).status_code == 403
    assert (await client.post(path, headers=auth(dealers=["D9"]), json={"answers": good_csi()})).status_code == 404
    recorded = await client.post(path, headers=headers, json={"answers": good_csi()})
    assert recorded.status_code == 201
    assert (recorded.json()["channel"], recorded.json()["agent_id"]) == ("phone", "agent-7")
    assert (await client.post(path, headers=headers, json={"answers": good_csi()})).json() == recorded.json()


async def test_erasure_removes_free_text_and_the_alert_comment(client, auth, upstream):
    headers = auth()
    customer, invitation = await sent_invitation(client, headers, upstream)
    answers = good_csi(recommend=2, what_went_wrong="我的电话是13800138000")
    response_id = (await client.post(invitation["link_path"], json={"answers": answers})).json()["response_id"]
    await upstream.erase(customer)

    async def wiped():
        stored = (await client.get(f"/api/v1/surveys/responses/{response_id}", headers=headers)).json()
        return stored["free_text"] == {} and stored["index"] is not None

    await eventually(wiped)
    alerts = (await client.get("/api/v1/surveys/alerts", headers=headers)).json()["items"]
    assert [a["comment"] for a in alerts if a["customer_id"] == str(customer)] == [None]


async def test_the_public_path_is_rate_limited_per_link(settings_for, auth, upstream):
    settings = settings_for(SurveySettings, scheduler_poll_seconds=0.05, public_rate_per_token=1, public_burst=3)
    async with running(create_app(settings)) as client:
        _, invitation = await sent_invitation(client, auth(), upstream)
        statuses = [(await client.get(invitation["link_path"])).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = await client.get(invitation["link_path"])
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert (await client.get("/s/" + "y" * 32)).status_code == 404  # another link is not held back
