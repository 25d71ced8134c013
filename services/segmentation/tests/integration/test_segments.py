"""Segments: a filter checked before saving, a count preview, membership that follows every profile change."""

import uuid

from crm_devstack.pytest_plugin import eventually

from .conftest import TODAY, days_ago, profile_when, registered, vehicle, visit

DORMANT = {"all": [{"field": "retention_status", "op": "eq", "value": "dormant"},
                   {"field": "visits_total", "op": "ge", "value": 1}]}


async def members(client, headers, segment_id) -> set[str]:
    response = await client.get(f"/api/v1/segments/{segment_id}/members", headers=headers, params={"limit": 500})
    assert response.status_code == 200, response.text
    return {m["customer_id"] for m in response.json()["items"]}


async def test_dynamic_segment_membership_follows_profile_changes(client, auth, publish, published):
    dealer = f"D-{uuid.uuid4().hex[:6]}"
    headers = auth(dealers=[dealer])
    sleeper, regular, car, other_car = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await publish(registered(sleeper, dealer), vehicle(sleeper, car, days_ago(1200), dealer),
                  visit(sleeper, car, days_ago(500), dealer=dealer),
                  registered(regular, dealer), vehicle(regular, other_car, days_ago(1200), dealer),
                  visit(regular, other_car, days_ago(60), dealer=dealer))
    await profile_when(client, headers, sleeper, lambda p: p["retention_status"] == "dormant")
    await profile_when(client, headers, regular, lambda p: p["retention_status"] == "active")

    preview = await client.post("/api/v1/segments/preview", headers=headers,
                                json={"dealer_id": dealer, "filter": DORMANT})
    assert preview.json() == {"count": 1, "sample": [str(sleeper)]}
    created = await client.post("/api/v1/segments", headers=headers, json={
        "dealer_id": dealer, "name": "休眠客户 win-back", "kind": "dynamic", "filter": DORMANT})
    assert created.status_code == 201, created.text
    segment = created.json()
    assert segment["members"] == 1 and await members(client, headers, segment["id"]) == {str(sleeper)}

    await publish(visit(sleeper, car, TODAY, dealer=dealer))  # back in the workshop: no longer dormant
    await publish(visit(regular, other_car, days_ago(40), dealer=dealer, kind="parts", subkind="parts"))

    async def left():
        return not await members(client, headers, segment["id"])

    await eventually(left)
    entered = await published(sleeper, "crm.segment.entered.v1")
    exited = await published(sleeper, "crm.segment.exited.v1")
    assert [e.data["segment_id"] for e in entered] == [segment["id"]]
    assert [e.data["segment_id"] for e in exited] == [segment["id"]]
    assert not await published(regular, "crm.segment.entered.v1")

    listed = (await client.get("/api/v1/segments", headers=headers)).json()["items"]
    assert [(s["name"], s["members"]) for s in listed] == [("休眠客户 win-back", 0)]
    assert (await client.get(f"/api/v1/segments/{segment['id']}", headers=auth(dealers=["D-OTHER"]))).status_code \
        == 404


async def test_static_lists_and_members_pages(client, auth, publish, published):
    dealer = f"D-{uuid.uuid4().hex[:6]}"
    headers = auth(dealers=[dealer])
    customers = [uuid.uuid4() for _ in range(3)]
    await publish(*(registered(c, dealer) for c in customers))
    for customer in customers:
        await profile_when(client, headers, customer, lambda p: True)
    created = await client.post("/api/v1/segments", headers=headers, json={
        "dealer_id": dealer, "name": "Club members", "kind": "static", "customer_ids": [str(c) for c in customers]})
    assert created.status_code == 201 and created.json()["members"] == 3
    segment_id = created.json()["id"]
    first = await client.get(f"/api/v1/segments/{segment_id}/members", headers=headers, params={"limit": 2})
    second = await client.get(f"/api/v1/segments/{segment_id}/members", headers=headers,
                              params={"limit": 2, "cursor": first.json()["next_cursor"]})
    paged = [m["customer_id"] for m in first.json()["items"] + second.json()["items"]]
    assert sorted(paged) == sorted(str(c) for c in customers) and second.json()["next_cursor"] is None

    removed = await client.delete(f"/api/v1/segments/{segment_id}/members/{customers[0]}", headers=headers)
    assert removed.status_code == 204
    unknown = await client.post(f"/api/v1/segments/{segment_id}/members", headers=headers,
                                json={"customer_ids": [str(customers[0]), str(uuid.uuid4())]})
    assert unknown.status_code == 409  # a well-formed id of nobody here: a missing record, not a bad body
    assert [e["pointer"] for e in unknown.json()["errors"]] == ["/customer_ids/1"]
    assert await members(client, headers, segment_id) == {str(c) for c in customers[1:]}
    assert [e.type for e in await published(customers[0]) if ".segment." in e.type] == [
        "crm.segment.entered.v1", "crm.segment.exited.v1"]


async def test_a_bad_segment_names_every_bad_field_and_stores_nothing(client, auth):
    dealer = f"D-{uuid.uuid4().hex[:6]}"
    headers = auth(dealers=[dealer])
    response = await client.post("/api/v1/segments", headers=headers, json={
        "dealer_id": dealer, "name": "x", "kind": "dynamic",
        "filter": {"any": [{"field": "mobile", "op": "eq", "value": "138"},
                           {"field": "clv", "op": "gt", "value": "lots"}]}})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["pointer"] for e in response.json()["errors"]] == ["/filter/any/0/field", "/filter/any/1/value"]
    response = await client.post("/api/v1/segments", headers=headers, json={
        "dealer_id": dealer, "name": "", "kind": "sometimes", "colour": "red"})
    assert {e["pointer"] for e in response.json()["errors"]} == {"/name", "/kind", "/colour"}
    other = await client.post("/api/v1/segments", headers=headers, json={
        "dealer_id": "D-NOT-MINE", "name": "x", "kind": "static"})
    assert other.status_code == 403
    reader = await client.post("/api/v1/segments", headers=auth(dealers=[dealer], scope=["profiles:read"]),
                               json={"dealer_id": dealer, "name": "x", "kind": "static"})
    assert reader.status_code == 403
    assert (await client.get("/api/v1/segments", headers=headers)).json()["items"] == []
