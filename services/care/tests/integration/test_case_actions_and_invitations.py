"""A case keeps who did what on it; a hot alert opens one case however it is asked; a 回访 call carries the
survey invitation its caller reads out, whichever of the two arrived first."""

import uuid
from datetime import timedelta

from crm_contracts.events.customer import VisitRecorded
from crm_contracts.events.survey import HotAlertRaised, SurveyInvitationCreated
from crm_devstack.pytest_plugin import eventually

from .conftest import edited, now


async def test_a_case_lists_who_did_what_from_opening_to_resolution(care, auth):
    customer = uuid.uuid4()
    opened = await care.post("/api/v1/care/cases", headers=auth(),
                             json={"customer_id": str(customer), "summary": "保养后异响未解决"})
    assert opened.status_code == 201, opened.text
    case = opened.json()
    steps = [{"action": "start"}, {"action": "note", "note": "已致电客户，约周六复检"},
             {"action": "resolve", "resolution": "更换刹车片并道歉"}]
    for step in steps:
        moved = await care.post(f"/api/v1/care/cases/{case['id']}/actions", headers=auth(), json=step)
        assert moved.status_code == 200, moved.text
    assert moved.json()["state"] == "resolved"
    empty_note = await care.post(f"/api/v1/care/cases/{case['id']}/actions", headers=auth(),
                                 json={"action": "note", "note": "  "})
    assert empty_note.status_code == 422 and [e["pointer"] for e in empty_note.json()["errors"]] == ["/note"]

    [call] = (await care.get("/api/v1/care/tasks", params={"customer_id": str(customer)},
                             headers=auth())).json()["items"]
    taken = await care.post(f"/api/v1/care/tasks/{call['id']}/assign", headers=auth(), json={"assignee": "cs-2"})
    assert taken.status_code == 200, taken.text
    done = await care.post(f"/api/v1/care/tasks/{call['id']}/complete", headers=auth(),
                           json={"outcome": "reached", "notes": "客户认可处理结果"})
    assert done.status_code == 200, done.text

    log = await care.get(f"/api/v1/care/cases/{case['id']}/actions", headers=auth())
    assert log.status_code == 200, log.text
    assert [(a["action"], a["actor"], a["note"]) for a in log.json()["items"]] == [
        ("opened", "tester", None), ("start", "tester", None), ("note", "tester", "已致电客户，约周六复检"),
        ("resolve", "tester", "更换刹车片并道歉"), ("assigned", "tester", "cs-2"),
        ("contacted", "tester", "客户认可处理结果")]
    assert (await care.get(f"/api/v1/care/cases/{case['id']}/actions",
                           headers=auth(dealers=["D2"]))).status_code == 404


async def test_a_hot_alert_opens_one_case_whether_the_survey_or_a_person_asks_first(care, auth, publish):
    customer, alert = uuid.uuid4(), uuid.uuid4()
    body = {"customer_id": str(customer), "summary": "CSI 服务顾问的态度: 2", "alert_id": str(alert)}
    first = await care.post("/api/v1/care/cases", headers=auth(), json=body)
    assert first.status_code == 201, first.text
    assert first.json()["source"] == "hot_alert" and first.json()["alert_id"] == str(alert)
    again = await care.post("/api/v1/care/cases", headers=auth(), json=body)
    assert again.status_code == 409 and again.json()["case_id"] == first.json()["id"]
    retried = await care.post("/api/v1/care/cases", headers={**auth(), "Idempotency-Key": "k-1"}, json=body)
    assert retried.status_code == 409

    # the survey's own event for an alert a person already answered opens nothing more
    await publish(HotAlertRaised(alert_id=alert, response_id=uuid.uuid4(), customer_id=customer, dealer_id="D1",
                                 survey_kind="csi", question_id="q-advisor", question_text="服务顾问的态度",
                                 score=2, raised_at=now()), service="survey", subject=customer)
    raised_by_survey, other_alert = uuid.uuid4(), uuid.uuid4()
    await publish(HotAlertRaised(alert_id=other_alert, response_id=uuid.uuid4(), customer_id=raised_by_survey,
                                 dealer_id="D1", survey_kind="ssi", question_id="q-delivery",
                                 question_text="交车讲解", score=1, raised_at=now()),
                  service="survey", subject=raised_by_survey)

    async def opened_by_survey():
        found = (await care.get("/api/v1/care/cases", params={"customer_id": str(raised_by_survey)},
                                headers=auth())).json()["items"]
        return found or None

    [by_survey] = await eventually(opened_by_survey)
    late_click = await care.post("/api/v1/care/cases", headers=auth(), json={
        "customer_id": str(raised_by_survey), "summary": "交车讲解: 1", "alert_id": str(other_alert)})
    assert late_click.status_code == 409 and late_click.json()["case_id"] == by_survey["id"]
    [mine] = (await care.get("/api/v1/care/cases", params={"customer_id": str(customer)},
                             headers=auth())).json()["items"]
    assert mine["id"] == first.json()["id"]
    log = (await care.get(f"/api/v1/care/cases/{by_survey['id']}/actions", headers=auth())).json()["items"]
    assert [(a["action"], a["actor"]) for a in log] == [("opened", None)]


def _invitation(customer: uuid.UUID, visit: uuid.UUID, invitation: uuid.UUID) -> SurveyInvitationCreated:
    return SurveyInvitationCreated(
        invitation_id=invitation, customer_id=customer, dealer_id="D1", survey_kind="csi", template_id=uuid.uuid4(),
        template_version=1, visit_id=visit, link_path=f"/s/{uuid.uuid4().hex}",
        send_at=now() - timedelta(minutes=1), expires_at=now() + timedelta(days=15))


def _service_visit(customer: uuid.UUID, visit: uuid.UUID) -> VisitRecorded:
    return VisitRecorded(visit_id=visit, customer_id=customer, vehicle_id=uuid.uuid4(), dealer_id="D1",
                         kind="service", subkind="repair", visited_on=(now() - timedelta(days=8)).date(),
                         amount="420.00", order_number=f"RO-{visit.hex[:6]}", recorded_at=now())


async def test_a_follow_up_call_carries_its_visits_survey_invitation_in_either_order(care, auth, publish):
    widened = await edited(care, "/api/v1/care/plans/service_follow_up", auth(), {"params": {"window_days": 10}})
    assert widened.status_code == 200, widened.text

    def queued(customer):
        async def check():
            found = (await care.get("/api/v1/care/tasks", params={"customer_id": str(customer)},
                                    headers=auth())).json()["items"]
            return found if found and all(t["invitation_id"] for t in found) else None
        return check

    # the call first, then the survey's invitation for the same visit
    called_first, visit, invitation = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await publish(_service_visit(called_first, visit), service="customer", subject=called_first)

    async def call_queued():
        found = (await care.get("/api/v1/care/tasks", params={"customer_id": str(called_first)},
                                headers=auth())).json()["items"]
        return found or None

    [call] = await eventually(call_queued)
    assert call["reason"] == "service_follow_up" and call["invitation_id"] is None
    await publish(_invitation(called_first, visit, invitation), service="survey", subject=called_first)
    [call] = await eventually(queued(called_first))
    assert call["invitation_id"] == str(invitation)

    # the invitation first (its link is queued to go out), then the visit's call
    invited_first, visit, invitation = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await publish(_invitation(invited_first, visit, invitation), service="survey", subject=invited_first)

    async def link_queued():
        found = (await care.get("/api/v1/care/messages", params={"customer_id": str(invited_first)},
                                headers=auth())).json()["items"]
        return found or None

    await eventually(link_queued)
    await publish(_service_visit(invited_first, visit), service="customer", subject=invited_first)
    [call] = await eventually(queued(invited_first))
    assert call["reason"] == "service_follow_up" and call["invitation_id"] == str(invitation)
