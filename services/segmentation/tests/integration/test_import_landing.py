"""An import lands: segmentation counts its events, and once all are applied rescores the dealer, once."""

import uuid
from datetime import UTC, datetime

from crm_contracts.events import customer as events
from crm_devstack.pytest_plugin import eventually

from .conftest import days_ago, registered, vehicle, visit


def completed(job_id, dealer, staged: int) -> events.ImportCompleted:
    return events.ImportCompleted(job_id=job_id, dealer_id=dealer, kind="visits", rows=staged, created=staged,
                                  updated=0, unchanged=0, failed=0, events=staged, completed_at=datetime.now(UTC))


def customer_history(dealer: str) -> list:
    customer, car = uuid.uuid4(), uuid.uuid4()
    return [registered(customer, dealer), vehicle(customer, car, days_ago(800), dealer),
            visit(customer, car, days_ago(600), dealer=dealer), visit(customer, car, days_ago(100), dealer=dealer)]


async def import_state(client, headers, job_id, check, timeout: float = 60) -> dict:
    async def shown():
        response = await client.get(f"/api/v1/scoring/imports/{job_id}", headers=headers)
        return response.json() if response.status_code == 200 and check(response.json()) else None

    return await eventually(shown, timeout=timeout)


async def test_completion_first_then_events_queues_one_rescore_naming_the_import(client, auth, publish):
    dealer = f"D-{uuid.uuid4().hex[:6]}"
    headers = auth(dealers=[dealer])
    job_id = uuid.uuid4()
    staged = [event for _ in range(12) for event in customer_history(dealer)]  # 12 customers: several partitions
    await publish(completed(job_id, dealer, len(staged)))
    sent = await publish(*staged, import_job=str(job_id))

    done = await import_state(client, headers, job_id, lambda state: state["status"] == "done")
    assert done["events_applied"] == done["events_expected"] == len(staged)
    assert done["scoring_job"]["import_job_id"] == str(job_id)
    assert done["scoring_job"]["status"] == "done" and done["scoring_job"]["customers"] == 12
    first_rescore = done["scoring_job"]["id"]

    # a redelivered event and a repeated completion change no count and queue nothing more
    await publish(sent[-1], completed(job_id, dealer, len(staged)))
    marker = uuid.uuid4()
    await publish(completed(marker, dealer, 0))  # published after them: once it is seen, they were too
    await import_state(client, headers, marker, lambda state: state["status"] == "unchanged")
    again = (await client.get(f"/api/v1/scoring/imports/{job_id}", headers=headers)).json()
    assert again["events_applied"] == len(staged)
    assert again["scoring_job"]["id"] == first_rescore


async def test_events_first_wait_for_the_completion_before_scoring(client, auth, publish):
    dealer = f"D-{uuid.uuid4().hex[:6]}"
    headers = auth(dealers=[dealer])
    job_id = uuid.uuid4()
    staged = [event for _ in range(5) for event in customer_history(dealer)]
    await publish(*staged, import_job=str(job_id))

    applying = await import_state(client, headers, job_id, lambda state: state["events_applied"] == len(staged))
    assert applying["status"] == "applying" and applying["events_expected"] is None
    assert applying["scoring_job"] is None

    await publish(completed(job_id, dealer, len(staged)))
    done = await import_state(client, headers, job_id, lambda state: state["status"] == "done")
    assert done["scoring_job"]["import_job_id"] == str(job_id)
    profiles = (await client.get("/api/v1/profiles", headers=headers)).json()["items"]
    assert len(profiles) == 5 and all(p["rfm_segment"] is not None for p in profiles)


async def test_an_import_that_changed_nothing_queues_no_rescore(client, auth, publish):
    dealer = f"D-{uuid.uuid4().hex[:6]}"
    job_id = uuid.uuid4()
    await publish(completed(job_id, dealer, 0))
    state = await import_state(client, auth(dealers=[dealer]), job_id, lambda state: True)
    assert state["status"] == "unchanged" and state["scoring_job"] is None
    hidden = await client.get(f"/api/v1/scoring/imports/{job_id}", headers=auth(dealers=["D-OTHER"]))
    assert hidden.status_code == 404
