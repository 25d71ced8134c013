"""Care's retryable writes take the kit's Idempotency-Key: a retry answers the first request, another body under
the key is refused naming the header, and a key swept after `idempotency_key_hours` is a new request again."""

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm_care.main import create_app
from crm_devstack.pytest_plugin import running
from crm_kit.idempotency import sweep_expired


@pytest.fixture
async def service(care_settings):
    app = create_app(care_settings(idempotency_key_hours=2))
    async with running(app) as client:
        yield app, client


async def cases_of(client, auth, customer: str) -> list[dict]:
    return (await client.get("/api/v1/care/cases", params={"customer_id": customer}, headers=auth())).json()["items"]


async def test_a_retried_case_answers_the_first_case_and_another_body_is_refused_naming_the_header(service, auth):
    _, client = service
    customer = str(uuid.uuid4())
    body = {"customer_id": customer, "summary": "客户投诉保养后异响"}
    headers = {**auth(), "Idempotency-Key": f"case-{customer}"}
    first = await client.post("/api/v1/care/cases", headers=headers, json=body)
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/care/cases", headers=headers, json=body)
    assert again.status_code == 201 and again.json() == first.json()

    other = await client.post("/api/v1/care/cases", headers=headers, json={**body, "summary": "另一件事"})
    assert other.status_code == 422
    assert [(e["in"], e["name"]) for e in other.json()["errors"]] == [("header", "Idempotency-Key")]
    assert [c["id"] for c in await cases_of(client, auth, customer)] == [first.json()["id"]]
    calls = (await client.get("/api/v1/care/tasks", params={"customer_id": customer}, headers=auth())).json()
    assert [t["reason"] for t in calls["items"]] == ["complaint_follow_up"]


async def test_a_retried_task_completion_answers_the_done_task_where_a_second_one_is_refused(service, auth):
    _, client = service
    customer = str(uuid.uuid4())
    headers = {**auth(), "Idempotency-Key": f"task-{customer}"}
    body = {"customer_id": customer, "kind": "call", "due_at": "2026-12-01T09:00:00+08:00"}
    task = await client.post("/api/v1/care/tasks", headers=headers, json=body)
    assert task.status_code == 201, task.text
    assert (await client.post("/api/v1/care/tasks", headers=headers, json=body)).json()["id"] == task.json()["id"]

    path = f"/api/v1/care/tasks/{task.json()['id']}/complete"
    done_headers = {**auth(), "Idempotency-Key": f"done-{customer}"}
    done = await client.post(path, headers=done_headers, json={"outcome": "reached", "notes": "已联系"})
    assert done.status_code == 200, done.text
    retried = await client.post(path, headers=done_headers, json={"outcome": "reached", "notes": "已联系"})
    assert retried.status_code == 200 and retried.json() == done.json()
    assert (await client.post(path, headers=auth(), json={"outcome": "reached"})).status_code == 409
    listed = (await client.get("/api/v1/care/tasks", params={"customer_id": customer, "status": "done"},
                               headers=auth())).json()["items"]
    assert [t["id"] for t in listed] == [task.json()["id"]]


async def test_a_swept_key_opens_a_new_case(service, auth):
    app, client = service
    customer = str(uuid.uuid4())
    body = {"customer_id": customer, "summary": "等候时间太长"}
    headers = {**auth(), "Idempotency-Key": f"old-{customer}"}
    first = await client.post("/api/v1/care/cases", headers=headers, json=body)
    assert first.status_code == 201, first.text
    async with app.state.sessions() as session, session.begin():
        await session.execute(sa.text("UPDATE idempotency_keys SET created_at = created_at - interval '3 hours' "
                                      "WHERE key = :key"), {"key": headers["Idempotency-Key"]})
    assert await sweep_expired(app.state.sessions, timedelta(hours=app.state.settings.idempotency_key_hours)) >= 1

    reopened = await client.post("/api/v1/care/cases", headers=headers, json=body)
    assert reopened.status_code == 201, reopened.text
    assert reopened.json()["id"] != first.json()["id"]
    assert len(await cases_of(client, auth, customer)) == 2
