"""Plans, dry-run, the task queue and its outcomes, templates; bad input stores nothing."""

import uuid
from datetime import timedelta

from crm_care.domain.calendar import solar_to_lunar
from crm_contracts.events.customer import CustomerRegistered, VehicleRegistered, VisitRecorded
from crm_devstack.pytest_plugin import eventually

from .conftest import edited, now


async def test_dry_run_shows_what_the_plans_would_do_and_plans_can_change(care, auth, publish):
    customer, vehicle = uuid.uuid4(), uuid.uuid4()
    in_ten_days = (now() + timedelta(days=10)).date()
    month, day = solar_to_lunar(in_ten_days)
    # the solar MM-DD of the birth date says nothing of a lunar birthday: the lunar month-day decides
    await publish(CustomerRegistered(customer_id=customer, dealer_id="D7", kind="person", status="customer",
                                     birthday=(in_ten_days + timedelta(days=3)).strftime("%m-%d"),
                                     lunar_birthday=True, lunar_birthday_md=f"{month:02d}-{day:02d}",
                                     registered_at=now()),
                  service="customer", subject=customer, dealer_id="D7")
    impossible = uuid.uuid4()  # a lunar month-day no lunar month has: no greeting, and no failed dry-run
    await publish(CustomerRegistered(customer_id=impossible, dealer_id="D7", kind="person", status="customer",
                                     birthday="12-31", lunar_birthday=True, lunar_birthday_md="12-31",
                                     registered_at=now()),
                  service="customer", subject=customer, dealer_id="D7")
    await publish(VehicleRegistered(vehicle_id=vehicle, customer_id=customer, dealer_id="D7", brand="Toyota",
                                    model="Camry", insurance_expiry=(now() + timedelta(days=40)).date(),
                                    sold_by_dealer=True, registered_at=now()),
                  service="customer", subject=customer, dealer_id="D7")
    manager = auth(dealers=["D7"])

    async def planned():
        answer = (await care.get("/api/v1/care/plans/dry-run", params={"days": 20}, headers=manager)).json()
        rules = {(a["rule"], a["due_on"]) for a in answer["actions"]}
        return rules if ("birthday", in_ten_days.isoformat()) in rules and len(rules) >= 2 else None

    rules = await eventually(planned)
    assert sum(1 for rule, _ in rules if rule == "birthday") == 1
    renewal = (now() + timedelta(days=10)).date().isoformat()  # 30 days before the expiry
    assert ("insurance_renewal", renewal) in rules

    changed = await edited(care, "/api/v1/care/plans/insurance_renewal", manager,
                           {"params": {"days_before": [45, 7]}})
    assert changed.status_code == 200 and changed.json()["rule"] == "insurance_renewal"
    assert changed.json()["params"]["days_before"] == [45, 7]
    answer = (await care.get("/api/v1/care/plans/dry-run", params={"days": 20}, headers=manager)).json()
    assert not any(a["rule"] == "insurance_renewal" for a in answer["actions"])

    bad = await care.put("/api/v1/care/plans/insurance_renewal", headers=manager,
                         json={"params": {"weeks_before": 2}, "colour": "red"})
    # each rule's parameters are in its schema now, so an unknown one is refused beside the unknown field
    assert bad.status_code == 422
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/colour", "/params/weeks_before"}
    bad = await care.put("/api/v1/care/plans/insurance_renewal", headers=manager, json={"params": {"weeks": 2}})
    assert [e["pointer"] for e in bad.json()["errors"]] == ["/params/weeks"]
    bad = await care.put("/api/v1/care/templates", headers=manager,
                         json={"purpose": "birthday", "channel": "fax", "body": "{{ name"})
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/channel"}
    bad = await care.put("/api/v1/care/templates", headers=manager,
                         json={"purpose": "birthday", "channel": "sms", "body": "{{ name", "subject": "{% if %}"})
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/body", "/subject"}
    assert (await care.get("/api/v1/care/templates", headers=manager)).json() == {"items": [], "next_cursor": None}


async def test_follow_up_calls_are_queued_and_worked_with_an_outcome(care, auth, publish, care_events):
    customer, vehicle = uuid.uuid4(), uuid.uuid4()
    # a call is made up to 3 days after its day by default; this dealer still calls a week late
    widened = await edited(care, "/api/v1/care/plans/service_follow_up", auth(), {"params": {"window_days": 10}})
    assert widened.status_code == 200, widened.text
    await publish(VisitRecorded(visit_id=uuid.uuid4(), customer_id=customer, vehicle_id=vehicle, dealer_id="D1",
                                kind="service", subkind="repair", visited_on=(now() - timedelta(days=8)).date(),
                                amount="860.00", order_number="RO-1", odometer_km=23_000, recorded_at=now()),
                  service="customer", subject=customer)

    async def queued():
        found = (await care.get("/api/v1/care/tasks", params={"customer_id": str(customer), "role": "cs_survey"},
                                headers=auth())).json()["items"]
        return found or None

    [task] = await eventually(queued)
    assert task["reason"] == "service_follow_up" and task["kind"] == "call"
    assert (await care.post(f"/api/v1/care/tasks/{task['id']}/complete", headers=auth(dealers=["D2"]),
                            json={"outcome": "reached"})).status_code == 404
    bad = await care.post(f"/api/v1/care/tasks/{task['id']}/complete", headers=auth(), json={"outcome": "maybe"})
    assert bad.status_code == 422 and [e["pointer"] for e in bad.json()["errors"]] == ["/outcome"]
    assigned = await care.post(f"/api/v1/care/tasks/{task['id']}/assign", headers=auth(), json={"assignee": "cs-1"})
    assert assigned.json()["assignee"] == "cs-1"
    done = await care.post(f"/api/v1/care/tasks/{task['id']}/complete", headers=auth(),
                           json={"outcome": "appointment_booked", "notes": "下周二来店"})
    assert done.json()["status"] == "done" and done.json()["outcome"] == "appointment_booked"
    assert (await care.post(f"/api/v1/care/tasks/{task['id']}/complete", headers=auth(),
                            json={"outcome": "reached"})).status_code == 409
    events = await care_events(customer, count=2)
    assert [e.type for e in events] == ["crm.care.task.created.v1", "crm.care.task.completed.v1"]
    assert events[1].data["outcome"] == "appointment_booked"
