"""Editing a saved segment: If-Match guards it, members follow the new filter at once, 车龄 rules work."""

import uuid

from crm_devstack.pytest_plugin import eventually

from .conftest import days_ago, profile_when, registered, vehicle, visit
from .test_segments import members

SERVICED = {"field": "visits_total", "op": "ge", "value": 1}
THREE_TO_FIVE = {"field": "vehicle_age_years", "op": "between", "value": [3, 5]}


async def test_an_edit_names_the_version_read_and_members_follow_the_new_filter(client, auth, publish, published):
    dealer = f"D-{uuid.uuid4().hex[:6]}"
    headers = auth(dealers=[dealer])
    new_owner, old_owner, both, cars = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), [uuid.uuid4() for _ in range(4)]
    await publish(registered(new_owner, dealer), vehicle(new_owner, cars[0], days_ago(200), dealer),
                  visit(new_owner, cars[0], days_ago(30), dealer=dealer),
                  registered(old_owner, dealer), vehicle(old_owner, cars[1], days_ago(4 * 365 + 30), dealer),
                  visit(old_owner, cars[1], days_ago(30), dealer=dealer),
                  registered(both, dealer), vehicle(both, cars[2], days_ago(100), dealer),
                  vehicle(both, cars[3], days_ago(3 * 365 + 60), dealer),
                  visit(both, cars[2], days_ago(20), dealer=dealer))
    for customer in (new_owner, old_owner, both):
        await profile_when(client, headers, customer, lambda p: p["visits_total"] == 1)

    created = await client.post("/api/v1/segments", headers=headers, json={
        "dealer_id": dealer, "name": "在修客户", "kind": "dynamic", "filter": SERVICED})
    assert created.status_code == 201, created.text
    segment = created.json()
    assert segment["members"] == 3 and created.headers["ETag"] == '"1"'
    url = f"/api/v1/segments/{segment['id']}"
    read = await client.get(url, headers=headers)
    assert read.headers["ETag"] == '"1"' and read.json()["version"] == 1

    preview = await client.post("/api/v1/segments/preview", headers=headers,
                                json={"dealer_id": dealer, "filter": {"all": [SERVICED, THREE_TO_FIVE]}})
    assert preview.json()["count"] == 2
    change = {"name": "3-5年车龄在修客户", "description": "车龄三到五年", "filter": {"all": [SERVICED, THREE_TO_FIVE]}}

    unguarded = await client.put(url, headers=headers, json=change)
    assert unguarded.status_code == 428 and unguarded.json()["current_etag"] == '"1"'
    edited = await client.put(url, headers={**headers, "If-Match": '"1"'}, json=change)
    assert edited.status_code == 200, edited.text
    assert edited.headers["ETag"] == '"2"'
    shown = edited.json()
    assert (shown["name"], shown["description"], shown["members"], shown["version"], shown["updated_by"]) == (
        "3-5年车龄在修客户", "车龄三到五年", 2, 2, "planner-1")
    assert await members(client, headers, segment["id"]) == {str(old_owner), str(both)}
    exited = await eventually(lambda: published(new_owner, "crm.segment.exited.v1"))
    assert [e.data["segment_id"] for e in exited] == [segment["id"]]

    stale = await client.put(url, headers={**headers, "If-Match": '"1"'}, json={**change, "name": "覆盖"})
    assert stale.status_code == 412 and stale.json()["current_etag"] == '"2"'
    assert (await client.get(url, headers=headers)).json()["name"] == "3-5年车龄在修客户"


async def test_a_bad_edit_changes_nothing(client, auth):
    dealer = f"D-{uuid.uuid4().hex[:6]}"
    headers = auth(dealers=[dealer])
    for name in ("A", "B"):
        response = await client.post("/api/v1/segments", headers=headers, json={
            "dealer_id": dealer, "name": name, "kind": "dynamic", "filter": SERVICED})
        assert response.status_code == 201
    url = f"/api/v1/segments/{response.json()['id']}"
    guarded = {**headers, "If-Match": '"1"'}

    taken = await client.put(url, headers=guarded, json={"name": "A", "filter": SERVICED})
    assert taken.status_code == 409
    bad = await client.put(url, headers=guarded, json={"name": "B", "filter": {
        "field": "vehicle_age_years", "op": "between", "value": [3]}})
    assert bad.status_code == 422
    assert [e["pointer"] for e in bad.json()["errors"]] == ["/filter/value"]
    elsewhere = await client.put(url, headers={**auth(dealers=["D-OTHER"]), "If-Match": '"1"'},
                                 json={"name": "B", "filter": SERVICED})
    assert elsewhere.status_code == 404
    assert (await client.get(url, headers=headers)).json()["version"] == 1
