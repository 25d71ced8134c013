"""Merged duplicates fold into the survivor; erased customers leave every segment and go quiet."""

import uuid
from datetime import UTC, datetime

from crm_contracts.events import customer as events
from crm_devstack.pytest_plugin import eventually

from .conftest import TODAY, days_ago, profile_when, registered, vehicle, visit


async def test_a_merge_moves_visits_and_vehicles_to_the_survivor(client, auth, publish, published):
    dealer = f"D-{uuid.uuid4().hex[:6]}"
    headers = auth(dealers=[dealer])
    survivor, duplicate, car, other_car = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await publish(registered(survivor, dealer), vehicle(survivor, car, days_ago(800), dealer),
                  visit(survivor, car, days_ago(100), dealer=dealer, amount="1000", margin="300"),
                  registered(duplicate, dealer), vehicle(duplicate, other_car, days_ago(400), dealer),
                  visit(duplicate, other_car, days_ago(30), dealer=dealer, amount="500", margin="100"))
    await profile_when(client, headers, duplicate, lambda p: p["visits_total"] == 1)
    await profile_when(client, headers, survivor, lambda p: p["visits_total"] == 1)
    club = await client.post("/api/v1/segments", headers=headers, json={
        "dealer_id": dealer, "name": "club", "kind": "static", "customer_ids": [str(survivor), str(duplicate)]})
    assert club.json()["members"] == 2

    await publish(events.CustomerMerged(survivor_id=survivor, duplicate_id=duplicate, dealer_id=dealer,
                                        vehicle_ids=[other_car], merged_at=datetime.now(UTC)))
    merged = await profile_when(client, headers, survivor, lambda p: p["visits_total"] == 2)
    assert merged["spend_total"] == "1500.00" and merged["vehicles"] == 2
    assert {v["vehicle_id"] for v in merged["vehicle_profiles"]} == {str(car), str(other_car)}
    assert merged["last_visit_on"] == days_ago(30).isoformat()
    via_duplicate = (await client.get(f"/api/v1/profiles/{duplicate}", headers=headers)).json()
    assert via_duplicate["customer_id"] == str(survivor)
    listed = (await client.get("/api/v1/profiles", headers=headers)).json()["items"]
    assert [p["customer_id"] for p in listed] == [str(survivor)]

    async def duplicate_left():
        return [e for e in await published(duplicate) if e.type == "crm.segment.exited.v1"]

    assert (await eventually(duplicate_left))[0].data["segment_id"] == club.json()["id"]
    members = (await client.get(f"/api/v1/segments/{club.json()['id']}/members", headers=headers)).json()
    assert [m["customer_id"] for m in members["items"]] == [str(survivor)]


async def test_an_erased_customer_leaves_every_segment_and_gets_no_more_events(client, auth, publish, published):
    dealer = f"D-{uuid.uuid4().hex[:6]}"
    headers = auth(dealers=[dealer])
    customer, car = uuid.uuid4(), uuid.uuid4()
    await publish(registered(customer, dealer), vehicle(customer, car, days_ago(500), dealer),
                  visit(customer, car, days_ago(450), dealer=dealer))
    await profile_when(client, headers, customer, lambda p: p["retention_status"] == "dormant")
    dormant = await client.post("/api/v1/segments", headers=headers, json={
        "dealer_id": dealer, "name": "dormant", "kind": "dynamic",
        "filter": {"field": "retention_status", "op": "eq", "value": "dormant"}})
    assert dormant.json()["members"] == 1

    await publish(events.CustomerErased(customer_id=customer, dealer_id=dealer, erased_at=datetime.now(UTC)))
    await profile_when(client, headers, customer, lambda p: p["erased"])

    async def left():
        return [e for e in await published(customer) if e.type == "crm.segment.exited.v1"]

    await eventually(left)
    before = len(await published(customer))
    await publish(visit(customer, car, TODAY, dealer=dealer))  # would make the vehicle active again
    shown = await profile_when(client, headers, customer, lambda p: p["visits_total"] == 2)
    assert shown["erased"] and shown["retention_status"] == "active"
    assert len(await published(customer)) == before  # no status change, no rescore, no segment entry
    spread = (await client.get("/api/v1/kpis/distributions", headers=headers, params={"dealer_id": dealer})).json()
    assert sum(spread["lifecycle_stage"].values()) == 0
    grasp = (await client.get("/api/v1/kpis/grasp-rate", headers=headers, params={"dealer_id": dealer})).json()
    assert grasp["total"]["base"] == 0
