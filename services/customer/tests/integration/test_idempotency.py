"""Idempotency-Key: a retried create answers what the first request did and stores or publishes nothing new."""

import asyncio

from .conftest import person

VIN = "LFV2A21K5G3123456"


def keyed(headers: dict, key: str) -> dict:
    return {**headers, "Idempotency-Key": key}


async def test_a_retried_registration_answers_the_first_customer_and_publishes_once(client, auth, events):
    first = await client.post("/api/v1/customers", headers=keyed(auth(), "reg-1"), json=person())
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/customers", headers=keyed(auth(), "reg-1"), json=person())
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"] and again.headers["etag"] == '"1"'

    other_body = await client.post("/api/v1/customers", headers=keyed(auth(), "reg-1"), json=person(city="上海"))
    assert other_body.status_code == 422
    assert other_body.json()["errors"][0]["in"] == "header"
    assert other_body.json()["errors"][0]["name"] == "Idempotency-Key"

    # Without the key the same body is a second registration, refused as a duplicate.
    unkeyed = await client.post("/api/v1/customers", headers=auth(), json=person())
    assert unkeyed.status_code == 409 and unkeyed.json()["existing_id"] == first.json()["id"]
    # Keys are the dealer's own: another dealer's same key is a new request.
    elsewhere = await client.post("/api/v1/customers", headers=keyed(auth(["D2"]), "reg-1"),
                                  json=person(dealer_id="D2"))
    assert elsewhere.status_code == 201 and elsewhere.json()["id"] != first.json()["id"]

    published = await events(first.json()["id"], count=1)
    assert [e.type for e in published] == ["crm.customer.registered.v1"]


async def test_the_same_key_sent_twice_at_once_registers_one_customer(client, auth, events):
    answers = await asyncio.gather(*(client.post("/api/v1/customers", headers=keyed(auth(), "reg-race"),
                                                 json=person()) for _ in range(4)))
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    published = await events(answers[0].json()["id"], count=1)
    assert [e.type for e in published] == ["crm.customer.registered.v1"]


async def test_a_refused_request_does_not_use_up_its_key(client, auth):
    bad = await client.post("/api/v1/customers", headers=keyed(auth(), "reg-2"), json=person(mobile="12345"))
    assert bad.status_code == 422
    fixed = await client.post("/api/v1/customers", headers=keyed(auth(), "reg-2"), json=person())
    assert fixed.status_code == 201, fixed.text


async def test_a_key_longer_than_255_characters_or_not_printable_ascii_is_refused(client, auth):
    for key in (b"k" * 256, "键-1".encode(), b"tab\there"):
        response = await client.post("/api/v1/customers", headers=keyed(auth(), key), json=person())
        assert response.status_code == 422, key
        assert [e["name"].lower() for e in response.json()["errors"]] == ["idempotency-key"]
    assert (await client.get("/api/v1/customers", headers=auth())).json()["items"] == []
    longest = await client.post("/api/v1/customers", headers=keyed(auth(), "k" * 255), json=person())
    assert longest.status_code == 201, longest.text


async def test_retried_lead_vehicle_and_visit_posts_answer_the_first_record(client, auth, events):
    lead_body = {"name": "李娜", "mobile": "13900139000", "interested_model": "Camry"}
    lead = await client.post("/api/v1/leads", headers=keyed(auth(), "lead-1"), json=lead_body)
    lead_again = await client.post("/api/v1/leads", headers=keyed(auth(), "lead-1"), json=lead_body)
    assert lead.status_code == lead_again.status_code == 201, lead_again.text
    assert lead_again.json() == lead.json() and lead_again.headers["location"] == lead.headers["location"]

    owner = (await client.post("/api/v1/customers", headers=auth(), json=person())).json()
    car_body = {"customer_id": owner["id"], "vin": VIN, "brand": "Toyota", "model": "Corolla"}
    car = await client.post("/api/v1/vehicles", headers=keyed(auth(), "car-1"), json=car_body)
    car_again = await client.post("/api/v1/vehicles", headers=keyed(auth(), "car-1"), json=car_body)
    assert car.status_code == car_again.status_code == 201, car_again.text
    assert car_again.json()["id"] == car.json()["id"] and car_again.headers["location"] == car.headers["location"]

    visit_body = {"customer_id": owner["id"], "vehicle_id": car.json()["id"], "kind": "service",
                  "subkind": "maintenance", "visited_on": "2024-03-01", "amount": "680.00", "order_number": "RO-9"}
    visit = await client.post("/api/v1/visits", headers=keyed(auth(), "visit-1"), json=visit_body)
    visit_again = await client.post("/api/v1/visits", headers=keyed(auth(), "visit-1"), json=visit_body)
    assert visit.status_code == visit_again.status_code == 201, visit_again.text
    assert visit_again.json() == visit.json()
    other_order = await client.post("/api/v1/visits", headers=keyed(auth(), "visit-1"),
                                    json={**visit_body, "order_number": "RO-10"})
    assert other_order.status_code == 422

    assert [e.type for e in await events(lead.json()["id"], count=1)] == ["crm.lead.created.v1"]
    assert [e.type for e in await events(owner["id"], count=3)] == [
        "crm.customer.registered.v1", "crm.vehicle.registered.v1", "crm.visit.recorded.v1"]


async def test_a_retried_consent_does_not_undo_a_later_change(client, auth, events):
    customer = (await client.post("/api/v1/customers", headers=auth(), json=person())).json()
    path = f"/api/v1/customers/{customer['id']}/consents"
    grant = {"purpose": "survey", "channel": "sms", "granted": True, "source": "showroom form"}
    first = await client.post(path, headers=keyed(auth(), "consent-1"), json=grant)
    assert first.status_code == 200 and first.json()["granted"] is True
    withdrawn = await client.post(path, headers=auth(), json={**grant, "granted": False, "source": "call"})
    assert withdrawn.json()["granted"] is False
    retried = await client.post(path, headers=keyed(auth(), "consent-1"), json=grant)
    assert retried.status_code == 200
    current = (await client.get(path, headers=auth())).json()
    assert [(c["purpose"], c["granted"]) for c in current] == [("survey", False)]
    published = await events(customer["id"], count=3)
    assert [e.type for e in published] == ["crm.customer.registered.v1", "crm.consent.changed.v1",
                                           "crm.consent.changed.v1"]


async def test_one_order_number_posted_twice_at_once_is_one_visit(client, auth, events):
    owner = (await client.post("/api/v1/customers", headers=auth(), json=person())).json()
    body = {"customer_id": owner["id"], "kind": "parts", "subkind": "accessories", "visited_on": "2024-01-01",
            "amount": "99", "order_number": "INV-RACE"}
    answers = await asyncio.gather(*(client.post("/api/v1/visits", headers=auth(), json=body) for _ in range(3)))
    assert sorted(a.status_code for a in answers) == [200, 200, 201], [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert [e.type for e in await events(owner["id"], count=2)] == ["crm.customer.registered.v1",
                                                                    "crm.visit.recorded.v1"]
