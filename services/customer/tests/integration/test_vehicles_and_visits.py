"""Vehicles, odometer rules, ownership transfer, idempotent visits, leads — and their events."""

from .conftest import person
from .test_lifecycle import VIN, customer, vehicle


async def test_vin_and_plate_rules_name_each_bad_field(client, auth):
    owner = await customer(client, auth)
    wrong_check = VIN[:8] + "9" + VIN[9:]
    response = await client.post("/api/v1/vehicles", headers=auth(), json={
        "customer_id": owner["id"], "vin": wrong_check, "plate": "京I1234", "brand": "Toyota", "model": "RAV4",
        "delivery_date": "2999-01-01", "purchase_price": "-1"})
    assert response.status_code == 422
    # The plate's shape is in the OpenAPI schema; the check digit and the date need the handler's arithmetic.
    assert {e["pointer"] for e in response.json()["errors"]} == {"/purchase_price", "/plate"}
    response = await client.post("/api/v1/vehicles", headers=auth(), json={
        "customer_id": owner["id"], "vin": wrong_check, "plate": "京A12345", "brand": "Toyota", "model": "RAV4",
        "delivery_date": "2999-01-01"})
    assert {e["pointer"] for e in response.json()["errors"]} == {"/vin", "/delivery_date"}
    imported = await vehicle(client, auth, owner["id"], vin="JT" + wrong_check[2:])
    assert imported["warnings"] and "imported" in imported["warnings"][0]
    assert (await client.post("/api/v1/vehicles", headers=auth(), json={
        "customer_id": owner["id"], "vin": imported["vin"], "brand": "Toyota", "model": "RAV4"})).status_code == 409


async def test_odometer_readings_never_go_back_unless_corrected(client, auth, events):
    owner = await customer(client, auth)
    car = await vehicle(client, auth, owner["id"])
    url = f"/api/v1/vehicles/{car['id']}/odometer"
    assert (await client.post(url, headers=auth(), json={"km": 12000, "read_on": "2024-01-10"})).status_code == 201
    lower = await client.post(url, headers=auth(), json={"km": 1200, "read_on": "2024-02-10"})
    assert lower.status_code == 422 and lower.json()["errors"][0]["pointer"] == "/km"
    corrected = await client.post(url, headers=auth(), json={"km": 1200, "read_on": "2024-02-10",
                                                             "correction": True})
    assert corrected.status_code == 201
    assert (await client.get(f"/api/v1/vehicles/{car['id']}", headers=auth())).json()["odometer_km"] == 1200
    readings = [e.data for e in await events(owner["id"], count=4) if e.type == "crm.odometer.recorded.v1"]
    assert [(r["km"], r["correction"]) for r in readings] == [(12000, False), (1200, True)]


async def test_transfer_closes_one_ownership_and_opens_the_next(client, auth, events):
    seller = await customer(client, auth)
    buyer = await customer(client, auth, mobile="13900139000")
    car = await vehicle(client, auth, seller["id"])
    url = f"/api/v1/vehicles/{car['id']}/transfer"
    early = await client.post(url, headers=auth(), json={"to_customer_id": buyer["id"], "on": "2019-01-01"})
    assert early.status_code == 422 and early.json()["errors"][0]["pointer"] == "/on"
    moved = await client.post(url, headers=auth(), json={"to_customer_id": buyer["id"], "on": "2023-06-30"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["customer_id"] == buyer["id"]
    assert [(o["customer_id"], o["from_date"], o["to_date"]) for o in moved.json()["ownership"]] == [
        (seller["id"], "2020-05-01", "2023-06-30"), (buyer["id"], "2023-06-30", None)]
    again = await client.post(url, headers=auth(), json={"to_customer_id": buyer["id"], "on": "2023-07-01"})
    assert again.status_code == 422
    transferred = await events(buyer["id"], count=2)
    assert transferred[-1].type == "crm.vehicle.transferred.v1"
    assert transferred[-1].data["from_customer_id"] == seller["id"]


async def test_a_customers_cars_are_listed_with_the_ones_sold_on_and_their_ownership(client, auth):
    seller = await customer(client, auth)
    buyer = await customer(client, auth, mobile="13900139000")
    sold = await vehicle(client, auth, seller["id"])
    kept = await vehicle(client, auth, seller["id"], vin="LSVAU218XN2183294")
    await client.post(f"/api/v1/vehicles/{sold['id']}/transfer", headers=auth(),
                      json={"to_customer_id": buyer["id"], "on": "2023-06-30"})

    def cars(page):
        return [(v["id"], v["customer_id"], len(v["ownership"])) for v in page["items"]]

    listed = (await client.get("/api/v1/vehicles", headers=auth(), params={"customer_id": seller["id"]})).json()
    assert cars(listed) == [(kept["id"], seller["id"], 1), (sold["id"], buyer["id"], 2)]
    first = (await client.get("/api/v1/vehicles", headers=auth(),
                              params={"customer_id": seller["id"], "limit": 1})).json()
    rest = (await client.get("/api/v1/vehicles", headers=auth(), params={
        "customer_id": seller["id"], "limit": 1, "cursor": first["next_cursor"]})).json()
    assert cars(first) + cars(rest) == cars(listed) and rest["next_cursor"] is None
    theirs = (await client.get("/api/v1/vehicles", headers=auth(["D2"]), params={"customer_id": seller["id"]})).json()
    assert theirs["items"] == []
    forged = await client.get("/api/v1/vehicles", headers=auth(), params={"cursor": "bm90IGEgY3Vyc29y"})
    assert forged.status_code == 400 and forged.json()["errors"][0]["name"] == "cursor"


async def test_a_retried_visit_answers_the_stored_one_and_a_different_one_is_409(client, auth, events):
    owner = await customer(client, auth)
    car = await vehicle(client, auth, owner["id"])
    body = {"customer_id": owner["id"], "vehicle_id": car["id"], "kind": "service", "subkind": "first_service",
            "visited_on": "2020-11-01", "amount": "0", "margin": "0", "odometer_km": 9800,
            "advisor_id": "SA-7", "order_number": "RO-2020-001"}
    first = await client.post("/api/v1/visits", headers=auth(), json=body)
    retried = await client.post("/api/v1/visits", headers=auth(), json=body)
    assert (first.status_code, retried.status_code) == (201, 200)
    assert retried.json()["id"] == first.json()["id"]
    clash = await client.post("/api/v1/visits", headers=auth(), json={**body, "amount": "100"})
    assert clash.status_code == 409
    bad = await client.post("/api/v1/visits", headers=auth(), json={
        **body, "order_number": "RO-X", "subkind": "new_car", "visited_on": "2999-01-01", "amount": "-5"})
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/amount"}
    bad = await client.post("/api/v1/visits", headers=auth(), json={
        **body, "order_number": "RO-X", "subkind": "new_car", "visited_on": "2999-01-01"})
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/subkind", "/visited_on"}
    published = await events(owner["id"], count=4)
    visits = [e.data for e in published if e.type == "crm.visit.recorded.v1"]
    assert len(visits) == 1
    assert visits[0]["vehicle_delivery_date"] == "2020-05-01" and visits[0]["amount"] == "0.00"
    assert visits[0]["subkind"] == "first_service" and visits[0]["odometer_km"] == 9800
    assert [e.type for e in published][-1] == "crm.odometer.recorded.v1"


async def test_a_lead_converts_into_the_existing_customer_found_by_mobile(client, auth, events):
    existing = await customer(client, auth)
    lead = (await client.post("/api/v1/leads", headers=auth(), json={
        "name": "王伟", "mobile": "138-0013-8000", "interested_model": "Camry", "dealer_id": "D1"})).json()
    converted = await client.post(f"/api/v1/leads/{lead['id']}/convert", headers=auth())
    assert converted.json() == {"lead_id": lead["id"], "customer_id": existing["id"], "existing_customer": True}
    fresh = (await client.post("/api/v1/leads", headers=auth(), json={
        "name": "李娜", "mobile": "13900139000", "id_number": "11010519491231002X", "dealer_id": "D1"})).json()
    new = (await client.post(f"/api/v1/leads/{fresh['id']}/convert", headers=auth())).json()
    assert new["existing_customer"] is False
    shown = (await client.get(f"/api/v1/customers/{new['customer_id']}", headers=auth(pii=True))).json()
    assert shown["mobile"] == "+8613900139000" and shown["id_number"] == "11010519491231002X"
    assert (await client.post(f"/api/v1/leads/{fresh['id']}/convert", headers=auth())).json()[
        "customer_id"] == new["customer_id"]
    assert [e.type for e in await events(lead["id"], count=1)] == ["crm.lead.created.v1"]
    assert [e.type for e in await events(new["customer_id"], count=2)] == [
        "crm.customer.registered.v1", "crm.lead.converted.v1"]


async def test_unknown_fields_are_refused_everywhere(client, auth):
    owner = await customer(client, auth)
    for url, body in (("/api/v1/customers", person(colour="red")),
                      ("/api/v1/vehicles", {"customer_id": owner["id"], "vin": VIN, "brand": "T", "model": "C",
                                            "colour": "red"}),
                      ("/api/v1/leads", {"name": "x", "colour": "red", "dealer_id": "D1"})):
        response = await client.post(url, headers=auth(), json=body)
        assert response.status_code == 422 and "/colour" in {e["pointer"] for e in response.json()["errors"]}
