"""Staff hear about what is urgent: a hot alert, a task gone overdue and a case near its SLA each notify the
responsible users once, in their inbox and by the e-mail or WeChat Work message they chose."""

import asyncio
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from crm_care.main import create_app
from crm_contracts import permissions
from crm_contracts.events.survey import HotAlertRaised
from crm_devstack.pytest_plugin import eventually, running

from .conftest import STAFF, now

pytestmark = pytest.mark.timeout(180)

SETTINGS = "/api/v1/care/notifications/settings"
NEVER_SAVED = {"If-Match": '"0"'}  # the ETag of settings shown from the defaults


@pytest.fixture
async def notifying(care_settings, sinks):
    settings = care_settings(smtp_url=sinks["smtp_url"], wecom_url=sinks["http"] + "/wecom", sla_poll_seconds=0.2,
                             notify_poll_seconds=0.05, console_base_url="http://crm.example/console")
    async with running(create_app(settings)) as care:
        yield care, settings


@pytest.fixture
def as_user(mint):
    def headers(user: str, dealers=("D1",), scope=None) -> dict:
        return {"Authorization": "Bearer " + mint(scope=list(scope or STAFF), dealers=list(dealers), subject=user)}

    return headers


def sent(sinks, channel: str):
    async def check() -> list[dict]:
        return [m for m in sinks["outbox"] if m["channel"] == channel]

    return check


async def inbox(care, headers, **params) -> list[dict]:
    answer = await care.get("/api/v1/care/notifications", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


async def in_the_past(settings, statement: str, **values) -> None:
    """Time passes: what an SLA clock would reach in hours, the test reaches by moving the row's times back."""
    engine = create_async_engine(settings.database_url)
    async with engine.begin() as connection:
        await connection.execute(sa.text(statement), values)
    await engine.dispose()


async def test_a_user_chooses_a_channel_and_a_bad_address_is_refused(notifying, as_user):
    care, _ = notifying
    fresh = await care.get(SETTINGS, headers=as_user("wang.fang"))
    assert fresh.status_code == 200 and fresh.headers["ETag"] == '"0"'
    assert fresh.json() | {"updated_at": None} == {"dealer_id": "D1", "channel": "none", "address": None,
                                                  "kinds": ["hot_alert", "case_sla", "task_overdue"],
                                                  "updated_at": None, "version": 0}
    refused = await care.put(SETTINGS, headers=as_user("wang.fang") | NEVER_SAVED,
                             json={"channel": "email", "address": "not-an-address"})
    assert refused.status_code == 422 and "address" in refused.text
    missing = await care.put(SETTINGS, headers=as_user("wang.fang") | NEVER_SAVED,
                             json={"channel": "wecom"})
    assert missing.status_code == 422
    other = await care.put(SETTINGS, headers=as_user("wang.fang") | NEVER_SAVED,
                           json={"channel": "email", "address": "w@example.cn", "dealer_id": "D9"})
    assert other.status_code == 403
    saved = await care.put(SETTINGS, headers=as_user("wang.fang") | NEVER_SAVED,
                           json={"channel": "wecom", "address": "WangFang", "kinds": ["hot_alert"]})
    assert saved.status_code == 200, saved.text
    again = (await care.get(SETTINGS, headers=as_user("wang.fang"))).json()
    assert again["channel"] == "wecom" and again["address"] == "WangFang" and again["kinds"] == ["hot_alert"]


async def test_a_save_names_the_settings_it_read_so_a_second_tab_cannot_overwrite_unseen(notifying, as_user):
    care, _ = notifying
    me = as_user("liu.yang")
    unnamed = await care.put(SETTINGS, headers=me, json={"channel": "email", "address": "liu@dealer.example"})
    assert unnamed.status_code == 428 and unnamed.json()["current_etag"] == '"0"'

    first = await care.put(SETTINGS, headers=me | NEVER_SAVED,
                           json={"channel": "email", "address": "liu@dealer.example"})
    assert first.status_code == 200 and first.headers["ETag"] == '"1"' and first.json()["version"] == 1
    other_tab = await care.put(SETTINGS, headers=me | NEVER_SAVED, json={"channel": "none"})
    assert other_tab.status_code == 412 and other_tab.json()["current_etag"] == '"1"'
    shown = await care.get(SETTINGS, headers=me)
    assert shown.headers["ETag"] == '"1"' and shown.json()["channel"] == "email"

    again = await care.put(SETTINGS, headers=me | {"If-Match": shown.headers["ETag"]},
                           json={"channel": "wecom", "address": "LiuYang", "kinds": ["case_sla"]})
    assert again.status_code == 200 and again.headers["ETag"] == '"2"'
    assert (await care.get(SETTINGS, headers=me)).json()["address"] == "LiuYang"


async def test_two_saves_of_the_same_read_keep_one_and_refuse_the_other(notifying, as_user):
    care, _ = notifying
    saved_once = await care.put(SETTINGS, headers=as_user("saved.once") | NEVER_SAVED, json={"channel": "none"})
    for user, etag in (("never.saved", '"0"'), ("saved.once", saved_once.headers["ETag"])):
        answers = await asyncio.gather(*(
            care.put(SETTINGS, headers=as_user(user) | {"If-Match": etag},
                     json={"channel": "wecom", "address": address}) for address in ("PhoneTab", "DeskTab")))
        assert sorted(a.status_code for a in answers) == [200, 412], user
        [kept] = [a.json()["address"] for a in answers if a.status_code == 200]
        assert (await care.get(SETTINGS, headers=as_user(user))).json()["address"] == kept


async def test_a_hot_alert_notifies_each_subscriber_once_and_messages_them(notifying, as_user, publish, sinks):
    care, _ = notifying
    choices = {"li.na": {"channel": "email", "address": "li.na@dealer.example"},
               "zhao.lei": {"channel": "wecom", "address": "ZhaoLei"},
               "badge.only": {"channel": "none"},
               "not.alerts": {"channel": "email", "address": "x@dealer.example", "kinds": ["task_overdue"]}}
    for user, choice in choices.items():
        answer = await care.put(SETTINGS, headers=as_user(user) | NEVER_SAVED, json=choice)
        assert answer.status_code == 200, answer.text
    other_dealer = await care.put(SETTINGS, headers=as_user("elsewhere", ["D2"]) | NEVER_SAVED,
                                  json={"channel": "email", "address": "e@dealer.example"})
    assert other_dealer.status_code == 200

    customer, alert = uuid.uuid4(), uuid.uuid4()
    raised = HotAlertRaised(alert_id=alert, response_id=uuid.uuid4(), customer_id=customer, dealer_id="D1",
                            survey_kind="csi", question_id="q-advisor", question_text="服务顾问的态度", score=2,
                            comment="等了两个小时", raised_at=now())
    await publish(raised, service="survey", subject=customer)
    await publish(raised, service="survey", subject=customer)  # re-published with a new event id

    async def mailed_and_messaged():
        channels = {m["channel"] for m in sinks["outbox"]}
        return {"email", "wecom"} <= channels and sinks["outbox"]

    await eventually(mailed_and_messaged)
    for user in ("li.na", "zhao.lei", "badge.only"):
        [note] = await eventually(lambda u=user: inbox(care, as_user(u)))
        assert note["kind"] == "hot_alert" and note["subject_id"] == str(alert) and note["read_at"] is None
        assert "服务顾问的态度" in note["summary"] and note["case_id"] is not None
    assert await inbox(care, as_user("not.alerts")) == []
    assert await inbox(care, as_user("elsewhere", ["D2"])) == []

    [mail] = [m for m in sinks["outbox"] if m["channel"] == "email"]
    assert mail["to"] == ["li.na@dealer.example"] and "热点警报" in mail["subject"]
    assert "http://crm.example/console/notifications/" in mail["body"]
    [wecom] = [m for m in sinks["outbox"] if m["channel"] == "wecom"]
    assert wecom["body"]["touser"] == "ZhaoLei" and "服务顾问的态度" in wecom["body"]["text"]["content"]
    [sent] = await inbox(care, as_user("li.na"))
    assert sent["delivery"] == "sent" and sent["channel"] == "email"
    assert (await inbox(care, as_user("badge.only")))[0]["delivery"] == "none"


async def test_an_overdue_task_notifies_its_assignee_and_reading_clears_the_badge(notifying, as_user, sinks):
    care, settings = notifying
    await care.put(SETTINGS, headers=as_user("chen.jing") | NEVER_SAVED,
                   json={"channel": "email", "address": "chen.jing@dealer.example"})
    await care.put(SETTINGS, headers=as_user("subscriber") | NEVER_SAVED,
                   json={"channel": "wecom", "address": "Sub", "kinds": ["task_overdue"]})
    created = await care.post("/api/v1/care/tasks", headers=as_user("planner"), json={
        "customer_id": str(uuid.uuid4()), "kind": "call", "priority": "high", "due_at": now().isoformat()})
    assert created.status_code == 201, created.text
    task = created.json()["id"]
    assigned = await care.post(f"/api/v1/care/tasks/{task}/assign", headers=as_user("planner"),
                               json={"assignee": "chen.jing"})
    assert assigned.status_code == 200
    await in_the_past(settings, "UPDATE care_tasks SET sla_at = :at WHERE id = :id",
                      at=now() - timedelta(minutes=5), id=uuid.UUID(task))

    [note] = await eventually(lambda: inbox(care, as_user("chen.jing"), unread="true"))
    assert note["kind"] == "task_overdue" and note["subject_id"] == task
    [mail] = await eventually(sent(sinks, "email"))
    assert mail["to"] == ["chen.jing@dealer.example"] and "任务已逾期" in mail["subject"]
    assert await inbox(care, as_user("subscriber")) == []  # someone is responsible: the others are spared

    count = await care.get("/api/v1/care/notifications/unread-count", headers=as_user("chen.jing"))
    assert count.json() == {"unread": 1}
    stranger = await care.post(f"/api/v1/care/notifications/{note['id']}/read", headers=as_user("someone.else"))
    assert stranger.status_code == 404
    read = await care.post(f"/api/v1/care/notifications/{note['id']}/read", headers=as_user("chen.jing"))
    assert read.status_code == 200 and read.json()["read_at"] is not None
    count = await care.get("/api/v1/care/notifications/unread-count", headers=as_user("chen.jing"))
    assert count.json() == {"unread": 0}
    assert await inbox(care, as_user("chen.jing"), unread="true") == []
    assert len(await inbox(care, as_user("chen.jing"))) == 1  # later SLA passes made nothing new


async def test_a_case_near_its_sla_notifies_subscribers_when_nobody_is_assigned(notifying, as_user, sinks):
    care, settings = notifying
    for user in ("zhou.min", "sun.li"):
        answer = await care.put(SETTINGS, headers=as_user(user) | NEVER_SAVED,
                                json={"channel": "wecom", "address": user.replace(".", ""), "kinds": ["case_sla"]})
        assert answer.status_code == 200
    opened = await care.post("/api/v1/care/cases", headers=as_user("zhou.min"),
                             json={"customer_id": str(uuid.uuid4()), "summary": "保养后异响，客户很不满意"})
    assert opened.status_code == 201, opened.text
    case = opened.json()["id"]
    await in_the_past(settings, "UPDATE care_cases SET opened_at = opened_at - interval '20 hours', "
                      "first_contact_due = first_contact_due - interval '20 hours' WHERE id = :id",
                      id=uuid.UUID(case))

    for user in ("zhou.min", "sun.li"):
        [note] = await eventually(lambda u=user: inbox(care, as_user(u)))
        assert note["kind"] == "case_sla" and note["subject_id"] == case and "异响" in note["summary"]
    async def both_messaged():
        return len(await sent(sinks, "wecom")()) >= 2

    await eventually(both_messaged)
    assert sorted(m["body"]["touser"] for m in await sent(sinks, "wecom")()) == ["sunli", "zhoumin"]
    marked = await care.post("/api/v1/care/notifications/read-all", headers=as_user("sun.li"))
    assert marked.json() == {"marked": 1}
    assert (await care.get("/api/v1/care/notifications/unread-count", headers=as_user("sun.li"))).json()["unread"] == 0
    assert (await care.get("/api/v1/care/notifications/unread-count",
                           headers=as_user("zhou.min"))).json()["unread"] == 1


async def test_a_partner_client_without_care_permissions_still_reads_only_its_own(notifying, as_user):
    care, _ = notifying
    answer = await care.get("/api/v1/care/notifications", headers=as_user("reader", scope=[permissions.CARE_READ]))
    assert answer.status_code == 200 and answer.json()["items"] == []
