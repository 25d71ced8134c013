"""Merge, erasure, deletion and consent, with the events each one publishes."""

from .conftest import person

VIN = "LFV2A21K5G3123456"


async def customer(client, auth, **fields):
    response = await client.post("/api/v1/customers", headers=auth(), json=person(**fields))
    assert response.status_code == 201, response.text
    return response.json()


async def vehicle(client, auth, owner_id, vin=VIN, **fields):
    response = await client.post("/api/v1/vehicles", headers=auth(), json={
        "customer_id": owner_id, "vin": vin, "brand": "Toyota", "model": "Corolla", "delivery_date": "2020-05-01",
        **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def test_merge_moves_vehicles_visits_and_consents_once(client, auth, events):
    survivor = await customer(client, auth)
    duplicate = await customer(client, auth, mobile="13900139000", email="w@example.com", tags=["club"])
    car = await vehicle(client, auth, duplicate["id"])
    visit = await client.post("/api/v1/visits", headers=auth(), json={
        "customer_id": duplicate["id"], "vehicle_id": car["id"], "kind": "service", "subkind": "maintenance",
        "visited_on": "2024-03-01", "amount": "680.00", "order_number": "RO-1"})
    assert visit.status_code == 201, visit.text
    await client.post(f"/api/v1/customers/{duplicate['id']}/consents", headers=auth(),
                      json={"purpose": "care", "channel": "sms", "granted": True, "source": "showroom form"})

    merged = await client.post(f"/api/v1/customers/{survivor['id']}/merge", headers=auth(),
                               json={"duplicate_id": duplicate["id"]})
    assert merged.status_code == 200, merged.text
    assert merged.json()["email"] == "w***@example.com" and merged.json()["tags"] == ["club"]
    again = await client.post(f"/api/v1/customers/{survivor['id']}/merge", headers=auth(),
                              json={"duplicate_id": duplicate["id"]})
    assert again.status_code == 200 and again.json()["version"] == merged.json()["version"]

    moved = (await client.get(f"/api/v1/vehicles/{car['id']}", headers=auth())).json()
    assert moved["customer_id"] == survivor["id"]
    assert (await client.get(f"/api/v1/visits/{visit.json()['id']}", headers=auth())).json()[
        "customer_id"] == survivor["id"]
    consents = (await client.get(f"/api/v1/customers/{survivor['id']}/consents", headers=auth())).json()
    assert [(c["purpose"], c["channel"], c["granted"]) for c in consents] == [("care", "sms", True)]
    gone = await client.get(f"/api/v1/customers/{duplicate['id']}", headers=auth())
    assert gone.status_code == 404 and gone.json()["merged_into"] == survivor["id"]
    # The duplicate's mobile is now one of the survivor's numbers: the person may still call from it.
    assert [c["id"] for c in (await client.get("/api/v1/customers", headers=auth(),
                                                params={"mobile": "13900139000"})).json()["items"]] == [survivor["id"]]
    assert merged.json()["other_mobiles"] == ["139****9000"]

    published = await events(duplicate["id"], count=5)
    assert [e.type for e in published] == [
        "crm.customer.registered.v1", "crm.vehicle.registered.v1", "crm.visit.recorded.v1", "crm.consent.changed.v1",
        "crm.customer.merged.v1"]
    merges = [e.data for e in published if e.type == "crm.customer.merged.v1"]
    assert merges == [{"survivor_id": survivor["id"], "duplicate_id": duplicate["id"], "dealer_id": "D1",
                       "vehicle_ids": [car["id"]], "merged_at": merges[0]["merged_at"]}]


async def test_erasure_anonymises_the_person_and_keeps_anonymous_visits(client, auth, events):
    erased = await customer(client, auth, id_number="11010519491231002X", email="w@example.com",
                            address="朝阳区某路1号")
    car = await vehicle(client, auth, erased["id"], plate="京A12345")
    await client.post("/api/v1/visits", headers=auth(), json={
        "customer_id": erased["id"], "vehicle_id": car["id"], "kind": "service", "subkind": "repair",
        "visited_on": "2024-03-01", "amount": "1200", "order_number": "RO-9"})
    await client.post(f"/api/v1/customers/{erased['id']}/consents", headers=auth(),
                      json={"purpose": "marketing", "channel": "wechat", "granted": True, "source": "app"})

    response = await client.post(f"/api/v1/customers/{erased['id']}/erase", headers=auth())
    assert response.status_code == 200, response.text
    shown = (await client.get(f"/api/v1/customers/{erased['id']}", headers=auth(pii=True))).json()
    assert shown["erased"] is True and shown["name"] == "(erased)"
    assert shown["mobile"] is shown["email"] is shown["id_number"] is shown["address"] is None
    assert (await client.get(f"/api/v1/vehicles/{car['id']}", headers=auth())).json()["plate"] is None
    assert (await client.get(f"/api/v1/customers/{erased['id']}/consents", headers=auth())).json() == []
    again = await client.post(f"/api/v1/customers/{erased['id']}/erase", headers=auth())
    assert again.status_code == 200
    # The same person may register afresh: nothing of the erased record matches them any more.
    assert (await client.post("/api/v1/customers", headers=auth(),
                              json=person(id_number="11010519491231002X"))).status_code == 201

    published = await events(erased["id"], count=5)
    assert [e.type for e in published][-1] == "crm.customer.erased.v1"
    assert [e.type for e in published].count("crm.customer.erased.v1") == 1


async def test_delete_removes_a_mistaken_record_but_not_one_with_history(client, auth, events):
    mistaken = await customer(client, auth)
    kept = await customer(client, auth, mobile="13900139000")
    await vehicle(client, auth, kept["id"])
    assert (await client.delete(f"/api/v1/customers/{kept['id']}", headers=auth())).status_code == 409
    assert (await client.delete(f"/api/v1/customers/{mistaken['id']}", headers=auth())).status_code == 204
    assert (await client.get(f"/api/v1/customers/{mistaken['id']}", headers=auth())).status_code == 404
    assert [e.type for e in await events(mistaken["id"], count=2)] == [
        "crm.customer.registered.v1", "crm.customer.erased.v1"]


async def test_consent_per_purpose_and_channel_publishes_only_changes(client, auth, events):
    owner = await customer(client, auth)
    url = f"/api/v1/customers/{owner['id']}/consents"
    for granted in (True, True, False):
        response = await client.post(url, headers=auth(), json={
            "purpose": "survey", "channel": "phone", "granted": granted, "source": "call", "evidence": "REC-1"})
        assert response.status_code == 200, response.text
    await client.post(url, headers=auth(), json={"purpose": "oem_sharing", "channel": "email", "granted": True,
                                                 "source": "contract"})
    bad = await client.post(url, headers=auth(), json={"purpose": "spam", "channel": "fax", "granted": True,
                                                       "source": "x", "extra": 1})
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/purpose", "/channel", "/extra"}
    current = (await client.get(url, headers=auth())).json()
    assert [(c["purpose"], c["channel"], c["granted"]) for c in current] == [
        ("oem_sharing", "email", True), ("survey", "phone", False)]
    changes = [e.data for e in await events(owner["id"], count=4) if e.type == "crm.consent.changed.v1"]
    assert [(c["purpose"], c["granted"]) for c in changes] == [("survey", True), ("survey", False),
                                                                ("oem_sharing", True)]
