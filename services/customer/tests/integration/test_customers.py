"""Customers: create, read, update with ETags, search, dedupe, and what lands on the topic."""

from datetime import datetime, time, timedelta, timezone

from crm_contracts import permissions

from .conftest import person

GB_SAMPLE_ID = "11010519491231002X"


async def test_register_read_update_with_etags_and_the_events_on_the_topic(client, auth, events):
    created = await client.post("/api/v1/customers", headers=auth(pii=True), json=person(
        id_number=GB_SAMPLE_ID, birth_date="1949-12-31", gender="female", lunar_birthday=True,
        email="Wang.Wei@Example.com", city="北京", tags=["vip"], language="zh-CN"))
    assert created.status_code == 201, created.text
    customer = created.json()
    assert created.headers["etag"] == '"1"'
    assert customer["mobile"] == "+8613800138000" and customer["id_number"] == GB_SAMPLE_ID
    assert customer["email"] == "Wang.Wei@example.com"

    masked = (await client.get(f"/api/v1/customers/{customer['id']}", headers=auth())).json()
    assert masked["mobile"] == "138****8000" and masked["id_number"] == "1101**********002X"
    assert masked["name"] == "王*" and masked["email"] == "W***@example.com" and masked["birth_date"] is None

    stale = await client.patch(f"/api/v1/customers/{customer['id']}", headers={**auth(), "If-Match": '"0"'},
                               json={"city": "上海"})
    assert stale.status_code == 412
    missing = await client.patch(f"/api/v1/customers/{customer['id']}", headers=auth(), json={"city": "上海"})
    assert missing.status_code == 428
    changed = await client.patch(f"/api/v1/customers/{customer['id']}", headers={**auth(), "If-Match": '"1"'},
                                 json={"city": "上海", "mobile": "139 0013 9000"})
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"' and changed.json()["mobile"] == "139****9000"
    same = await client.patch(f"/api/v1/customers/{customer['id']}", headers={**auth(), "If-Match": '"2"'},
                              json={"city": "上海"})
    assert same.json()["version"] == 2  # nothing changed, nothing published

    published = await events(customer["id"], count=2)
    assert [e.type for e in published] == ["crm.customer.registered.v1", "crm.customer.updated.v1"]
    registered, updated = (e.data for e in published)
    assert registered["birthday"] == "12-31" and registered["lunar_birthday"] is True
    assert registered["gender"] == "female" and registered["language"] == "zh-CN" and registered["city"] == "北京"
    assert updated["changed"] == ["city", "mobile"] and updated["version"] == 2
    assert all(p.dealerid == "D1" for p in published)
    raw = "".join(e.to_json().decode() for e in published)
    assert "13800138000" not in raw and "13900139000" not in raw and GB_SAMPLE_ID not in raw


async def test_every_bad_field_is_named_and_nothing_is_stored(client, auth):
    response = await client.post("/api/v1/customers", headers=auth(), json=person(
        mobile="12345", email="no", id_number=GB_SAMPLE_ID[:-1] + "1", birth_date="2999-01-01"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert {e["pointer"] for e in response.json()["errors"]} == {"/mobile", "/email", "/id_number", "/birth_date"}
    response = await client.post("/api/v1/customers", headers=auth(), json=person(
        id_number=GB_SAMPLE_ID, birth_date="1950-01-01", gender="male"))
    assert {e["pointer"] for e in response.json()["errors"]} == {"/birth_date", "/gender"}
    listed = await client.get("/api/v1/customers", headers=auth())
    assert listed.json()["items"] == []


async def test_a_second_customer_with_the_same_mobile_or_id_number_gets_409(client, auth):
    first = (await client.post("/api/v1/customers", headers=auth(), json=person(id_number=GB_SAMPLE_ID))).json()
    again = await client.post("/api/v1/customers", headers=auth(), json=person(mobile="+86 138-0013-8000"))
    assert again.status_code == 409 and again.json()["existing_id"] == first["id"]
    by_id = await client.post("/api/v1/customers", headers=auth(),
                              json=person(mobile="13900139000", id_number=GB_SAMPLE_ID.lower()))
    assert by_id.status_code == 409 and by_id.json()["existing_id"] == first["id"]
    elsewhere = await client.post("/api/v1/customers", headers=auth(["D2"]), json=person(dealer_id="D2"))
    assert elsewhere.status_code == 201  # dedupe is within a dealer


async def test_search_by_prefix_tag_plate_with_cursor_pages(client, auth):
    for index in range(5):
        response = await client.post("/api/v1/customers", headers=auth(), json=person(
            mobile=f"1380013800{index}", name=f"王{index}", tags=["vip"] if index % 2 else []))
        assert response.status_code == 201
    await client.post("/api/v1/customers", headers=auth(), json=person(mobile="13900000000", name="李娜"))
    seen, cursor = [], None
    while True:
        params = {"name": "王", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/customers", headers=auth(), params=params)).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 5
    names, cursor = [], None
    while True:
        params = {"sort": "-name", "limit": 4, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/customers", headers=auth(pii=True), params=params)).json()
        names += [c["name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert names == ["王4", "王3", "王2", "王1", "王0", "李娜"]
    tagged = (await client.get("/api/v1/customers", headers=auth(), params={"tag": "vip"})).json()["items"]
    assert len(tagged) == 2
    by_mobile = (await client.get("/api/v1/customers", headers=auth(), params={"mobile": "139 0000 0000"})).json()
    assert [c["mobile"] for c in by_mobile["items"]] == ["139****0000"]
    bad = await client.get("/api/v1/customers", headers=auth(), params={"mobile": "1", "plate": "x"})
    assert {e["name"] for e in bad.json()["errors"]} == {"mobile", "plate"}


async def test_unmasked_reads_are_logged_for_the_information_manager(client, auth):
    customer = (await client.post("/api/v1/customers", headers=auth(), json=person())).json()
    await client.get(f"/api/v1/customers/{customer['id']}", headers=auth(pii=True, subject="care-service"))
    await client.get(f"/api/v1/customers/{customer['id']}", headers=auth())  # masked: not logged
    forbidden = await client.get("/api/v1/pii-access-log", headers=auth())
    assert forbidden.status_code == 403
    log = (await client.get("/api/v1/pii-access-log", headers=auth(scope=[permissions.PII_AUDIT]))).json()
    assert [(e["principal"], e["customer_id"], e["action"]) for e in log["items"]] == [
        ("care-service", customer["id"], "read")]
    other = (await client.get("/api/v1/pii-access-log", headers=auth(["D2"], scope=[permissions.PII_AUDIT]))).json()
    assert other["items"] == []
    # An auditor asks for one day, in the dealer's time: today's read is in today, not in yesterday.
    shanghai = timezone(timedelta(hours=8))
    today = datetime.combine(datetime.now(shanghai).date(), time(), shanghai)
    for since, found in ((today, 1), (today - timedelta(days=1), 0)):
        window = {"since": since.isoformat(), "until": (since + timedelta(days=1)).isoformat()}
        day = (await client.get("/api/v1/pii-access-log", params=window,
                                headers=auth(scope=[permissions.PII_AUDIT]))).json()
        assert len(day["items"]) == found, (since, day)
    naive = await client.get("/api/v1/pii-access-log", params={"since": "2026-01-01T00:00:00"},
                             headers=auth(scope=[permissions.PII_AUDIT]))
    assert naive.status_code == 422 and naive.json()["errors"][0]["name"] == "since"


async def test_the_carmakers_analyst_lists_every_dealer_masked(client, auth):
    for dealer in ("D1", "D2"):
        await client.post("/api/v1/customers", headers=auth([dealer]), json=person(dealer_id=dealer))
    listed = (await client.get("/api/v1/customers", headers=auth(["*"], scope=[permissions.CUSTOMERS_READ]))).json()
    assert sorted(c["dealer_id"] for c in listed["items"]) == ["D1", "D2"]
    assert {c["mobile"] for c in listed["items"]} == {"138****8000"}
