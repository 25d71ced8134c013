"""A customer's other mobiles: validated and masked like the primary one, and every number counts for dedupe,
search, merge, erasure, lead conversion and imports."""

import asyncio

from .conftest import person
from .test_imports import ndjson, run_import

OTHERS = ["139 0013 9000", "+86 137-0013-7000"]


async def register(client, auth, **fields):
    response = await client.post("/api/v1/customers", headers=auth(), json=person(**fields))
    assert response.status_code == 201, response.text
    return response.json()


async def test_other_mobiles_are_stored_as_e164_masked_and_never_published(client, auth, events):
    created = await client.post("/api/v1/customers", headers=auth(pii=True), json=person(other_mobiles=OTHERS))
    assert created.status_code == 201, created.text
    assert created.json()["other_mobiles"] == ["+8613900139000", "+8613700137000"]
    masked = (await client.get(f"/api/v1/customers/{created.json()['id']}", headers=auth())).json()
    assert masked["other_mobiles"] == ["139****9000", "137****7000"]

    bad = await client.post("/api/v1/customers", headers=auth(),
                            json=person(mobile="13600136000", other_mobiles=["13500135000", "12345"]))
    assert bad.status_code == 422 and [e["pointer"] for e in bad.json()["errors"]] == ["/other_mobiles/1"]
    too_many = await client.post("/api/v1/customers", headers=auth(), json=person(
        mobile="13600136000", other_mobiles=[f"1350013500{i}" for i in range(5)]))
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["pointer"] == "/other_mobiles"

    published = await events(created.json()["id"], count=1)
    raw = "".join(e.to_json().decode() for e in published)
    assert "13900139000" not in raw and "13700137000" not in raw


async def test_every_number_of_every_customer_counts_for_dedupe_and_search(client, auth):
    first = await register(client, auth, other_mobiles=OTHERS)
    by_other = await client.post("/api/v1/customers", headers=auth(), json=person(mobile="13900139000"))
    assert by_other.status_code == 409 and by_other.json()["existing_id"] == first["id"]
    others_hit_primary = await client.post("/api/v1/customers", headers=auth(), json=person(
        mobile="13600136000", other_mobiles=["13800138000"]))
    assert others_hit_primary.status_code == 409 and others_hit_primary.json()["existing_id"] == first["id"]

    second = await register(client, auth, mobile="13600136000")
    taken = await client.patch(f"/api/v1/customers/{second['id']}", headers={**auth(), "If-Match": '"1"'},
                               json={"other_mobiles": ["137 0013 7000"]})
    assert taken.status_code == 409 and taken.json()["existing_id"] == first["id"]

    found = (await client.get("/api/v1/customers", headers=auth(), params={"mobile": "13700137000"})).json()
    assert [c["id"] for c in found["items"]] == [first["id"]]
    elsewhere = await client.post("/api/v1/customers", headers=auth(["D2"]),
                                  json=person(mobile="13900139000", dealer_id="D2"))
    assert elsewhere.status_code == 201  # dedupe is within a dealer


async def test_two_customers_claiming_one_number_at_once_get_one_201_and_one_409(client, auth):
    answers = await asyncio.gather(
        client.post("/api/v1/customers", headers=auth(), json=person(mobile="13600136000",
                                                                     other_mobiles=["13900139000"])),
        client.post("/api/v1/customers", headers=auth(), json=person(mobile="13500135000",
                                                                     other_mobiles=["13900139000"])))
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]


async def test_a_secondary_number_made_primary_frees_the_old_one(client, auth):
    customer = await register(client, auth, other_mobiles=OTHERS)
    changed = await client.patch(f"/api/v1/customers/{customer['id']}", headers={**auth(pii=True), "If-Match": '"1"'},
                                 json={"mobile": "13900139000"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["mobile"] == "+8613900139000" and changed.json()["other_mobiles"] == ["+8613700137000"]
    assert (await client.post("/api/v1/customers", headers=auth(), json=person())).status_code == 201


async def test_erasure_frees_every_number_and_conversion_finds_a_customer_by_any(client, auth):
    customer = await register(client, auth, other_mobiles=OTHERS)
    lead = (await client.post("/api/v1/leads", headers=auth(), json={"name": "王伟", "mobile": "13700137000"})).json()
    converted = (await client.post(f"/api/v1/leads/{lead['id']}/convert", headers=auth())).json()
    assert converted == {"lead_id": lead["id"], "customer_id": customer["id"], "existing_customer": True}

    erased = await client.post(f"/api/v1/customers/{customer['id']}/erase", headers=auth())
    assert erased.status_code == 200 and erased.json()["other_mobiles"] == []
    assert (await client.post("/api/v1/customers", headers=auth(), json=person(mobile="13700137000"))
            ).status_code == 201


async def test_an_import_finds_customers_by_any_of_their_numbers(client, auth):
    customer = await register(client, auth, other_mobiles=OTHERS)
    _, report = await run_import(client, auth, "customers", ndjson([
        {"name": "王伟", "mobile": "13900139000"},
        {"name": "李娜", "mobile": "13600136000", "other_mobiles": ["13700137000"]},
        {"name": "张敏", "mobile": "13500135000", "other_mobiles": ["13400134000"]}]))
    assert [(r["outcome"], r["record_id"]) for r in report[:2]] == [("unchanged", customer["id"]), ("failed", None)]
    assert report[1]["errors"][0]["pointer"] == "/other_mobiles" and report[2]["outcome"] == "created"
    found = (await client.get("/api/v1/customers", headers=auth(), params={"mobile": "13400134000"})).json()
    assert [c["id"] for c in found["items"]] == [report[2]["record_id"]]
    _, report = await run_import(client, auth, "vehicles", ndjson([{
        "customer_mobile": "13700137000", "vin": "LFV2A21K5G3123456", "brand": "Toyota", "model": "Corolla"}]))
    assert report[0]["outcome"] == "created", report
    car = (await client.get(f"/api/v1/vehicles/{report[0]['record_id']}", headers=auth())).json()
    assert car["customer_id"] == customer["id"]
