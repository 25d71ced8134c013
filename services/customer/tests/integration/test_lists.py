"""Listing leads, visits and import jobs: newest first, cursor pages, only the caller's dealers."""

from .test_imports import run_import
from .test_lifecycle import customer, vehicle

SECOND_VIN = "LSVAU218XN2183294"


async def every_page(client, headers, path, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        page = await client.get(path, headers=headers, params={**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            return items


async def test_leads_are_listed_newest_first_masked_and_per_dealer(client, auth):
    for index in range(3):
        created = await client.post("/api/v1/leads", headers=auth(), json={
            "name": f"线索{index}", "mobile": f"1390013900{index}", "dealer_id": "D1"})
        assert created.status_code == 201, created.text
    theirs = await client.post("/api/v1/leads", headers=auth(["D2"]), json={"name": "外", "dealer_id": "D2"})
    converted = await client.post(f"/api/v1/leads/{created.json()['id']}/convert", headers=auth())
    assert converted.status_code == 200, converted.text

    listed = await every_page(client, auth(), "/api/v1/leads", limit=2)
    assert [lead["name"] for lead in listed] == ["线索2", "线索1", "线索0"]
    assert listed[0]["mobile"] == "139****9002"
    assert [lead["name"] for lead in await every_page(client, auth(), "/api/v1/leads", converted=True)] == ["线索2"]
    assert len(await every_page(client, auth(), "/api/v1/leads", converted=False)) == 2
    assert [lead["id"] for lead in await every_page(client, auth(["D2"]), "/api/v1/leads")] == [theirs.json()["id"]]
    # Naming a dealer that is not yours finds nothing rather than another dealer's leads.
    assert await every_page(client, auth(["D2"]), "/api/v1/leads", dealer_id="D1") == []


async def test_visits_are_listed_by_customer_vehicle_and_date(client, auth):
    owner = await customer(client, auth)
    first_car = await vehicle(client, auth, owner["id"])
    second_car = await vehicle(client, auth, owner["id"], vin=SECOND_VIN)
    other_owner = await customer(client, auth, mobile="13900139000")
    plan = [(first_car, "2023-01-10", "RO-1"), (first_car, "2023-06-10", "RO-2"), (second_car, "2023-03-01", "RO-3"),
            (second_car, "2024-02-01", "RO-4")]
    for car, day, order in plan:
        response = await client.post("/api/v1/visits", headers=auth(), json={
            "customer_id": owner["id"], "vehicle_id": car["id"], "kind": "service", "subkind": "maintenance",
            "visited_on": day, "amount": "500", "order_number": order})
        assert response.status_code == 201, response.text
    await client.post("/api/v1/visits", headers=auth(), json={
        "customer_id": other_owner["id"], "kind": "parts", "subkind": "accessories", "visited_on": "2023-05-05",
        "amount": "99", "order_number": "INV-1"})

    of_owner = await every_page(client, auth(), "/api/v1/visits", customer_id=owner["id"], limit=3)
    assert [v["order_number"] for v in of_owner] == ["RO-4", "RO-2", "RO-3", "RO-1"]
    of_car = await every_page(client, auth(), "/api/v1/visits", vehicle_id=first_car["id"])
    assert [v["order_number"] for v in of_car] == ["RO-2", "RO-1"]
    in_2023 = await every_page(client, auth(), "/api/v1/visits", visited_from="2023-03-01", visited_to="2023-06-10")
    assert [v["order_number"] for v in in_2023] == ["RO-2", "INV-1", "RO-3"]
    assert await every_page(client, auth(["D2"]), "/api/v1/visits", customer_id=owner["id"]) == []

    bad = await client.get("/api/v1/visits", headers=auth(), params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["name"] == "cursor"


async def test_import_jobs_are_listed_per_dealer(client, auth):
    first, _ = await run_import(client, auth, "customers", '{"name": "王伟", "mobile": "13800138000"}\n')
    second, _ = await run_import(client, auth, "customers", '{"name": "李娜", "mobile": "12345"}\n')
    jobs = await every_page(client, auth(), "/api/v1/imports", limit=1)
    assert [(j["id"], j["created"], j["failed"]) for j in jobs] == [(second["id"], 0, 1), (first["id"], 1, 0)]
    assert await every_page(client, auth(["D2"]), "/api/v1/imports") == []
    assert (await client.get("/api/v1/imports", headers=auth(scope=["customers:read"]))).status_code == 403


async def test_listing_needs_no_dealer_parameter_for_the_carmakers_analyst(client, auth):
    for dealer in ("D1", "D2"):
        await client.post("/api/v1/leads", headers=auth([dealer]), json={"name": dealer, "dealer_id": dealer})
    analyst = auth(["*"], scope=["customers:read"])
    assert sorted(lead["dealer_id"] for lead in await every_page(client, analyst, "/api/v1/leads")) == ["D1", "D2"]
