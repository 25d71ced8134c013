"""Bulk import with bad rows and re-runs, streamed export, and the dealer-scope rule on every route."""

import json
import uuid

from crm_contracts import permissions
from crm_devstack.pytest_plugin import eventually

from .test_lifecycle import VIN, customer, vehicle

CUSTOMERS = [
    {"name": "王伟", "mobile": "13800138000", "tags": ["vip"]},
    {"name": "李娜", "mobile": "12345", "email": "nope", "colour": "red"},  # three bad fields
    {"name": "张敏", "mobile": "13900139000", "id_number": "11010519491231002X", "gender": "female"},
]


async def run_import(client, auth, kind, body: str, content_type="application/x-ndjson"):
    async def chunks():  # streamed in small pieces, as a big upload would arrive
        data = body.encode()
        for start in range(0, len(data), 7):
            yield data[start:start + 7]

    started = await client.post("/api/v1/imports", params={"kind": kind}, headers={
        **auth(), "Content-Type": content_type}, content=chunks())
    assert started.status_code == 202, started.text

    async def done():
        job = (await client.get(f"/api/v1/imports/{started.json()['id']}", headers=auth())).json()
        return job if job["status"] == "done" else None

    job = await eventually(done, timeout=30)
    report = (await client.get(f"/api/v1/imports/{job['id']}/report", headers=auth())).json()["items"]
    return job, report


def ndjson(rows):
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n"


async def test_an_import_stores_every_good_row_reports_every_bad_one_and_a_rerun_changes_nothing(
        client, auth, events):
    job, report = await run_import(client, auth, "customers", ndjson(CUSTOMERS) + "{not json\n")
    assert (job["total_rows"], job["created"], job["failed"], job["unchanged"]) == (4, 2, 2, 0)
    assert [(r["line"], r["outcome"]) for r in report] == [(1, "created"), (2, "failed"), (3, "created"),
                                                           (4, "failed")]
    assert {e["pointer"] for e in report[1]["errors"]} == {"/mobile", "/email", "/colour"}
    wang = report[0]["record_id"]

    vehicles = [{"vin": VIN, "customer_mobile": "13800138000", "brand": "Toyota", "model": "Corolla",
                 "delivery_date": "2019-04-01", "plate": "京A12345"},
                {"vin": "LFV2A21K0G3000000", "customer_mobile": "13800138000", "brand": "Toyota", "model": "X"}]
    job, report = await run_import(client, auth, "vehicles", ndjson(vehicles))
    assert [r["outcome"] for r in report] == ["created", "failed"]
    assert report[1]["errors"][0]["pointer"] == "/vin"
    csv = ("order_number,customer_mobile,vin,kind,subkind,visited_on,amount,odometer_km\n"
           f"RO-1,13800138000,{VIN},service,first_service,2019-10-01,0,8000\n"
           f"RO-2,13800138000,{VIN},service,maintenance,2020-04-01,680.5,15000\n"
           "RO-3,13000000000,,service,repair,2020-04-01,100,\n")
    job, report = await run_import(client, auth, "visits", csv, "text/csv")
    assert [r["outcome"] for r in report] == ["created", "created", "failed"]
    assert report[2]["errors"][0]["pointer"] == "/customer_mobile"

    published = await events(wang, count=6)
    assert [e.type for e in published] == [
        "crm.customer.registered.v1", "crm.vehicle.registered.v1", "crm.visit.recorded.v1",
        "crm.odometer.recorded.v1", "crm.visit.recorded.v1", "crm.odometer.recorded.v1"]
    assert published[4].data["amount"] == "680.50" and published[4].data["vehicle_delivery_date"] == "2019-04-01"

    for kind, body, content_type in (("customers", ndjson(CUSTOMERS), "application/x-ndjson"),
                                     ("vehicles", ndjson(vehicles[:1]), "application/x-ndjson"),
                                     ("visits", csv, "text/csv")):
        job, report = await run_import(client, auth, kind, body, content_type)
        assert job["created"] == job["updated"] == 0, (kind, report)
    assert len(await events(wang, count=6)) == 6  # the re-runs published nothing

    changed = [{"name": "王伟", "mobile": "13800138000", "tags": ["vip", "club"]}]
    job, report = await run_import(client, auth, "customers", ndjson(changed))
    assert report[0]["outcome"] == "updated"
    assert (await events(wang, count=7))[-1].data["changed"] == ["tags"]


async def test_export_streams_the_dealers_customers_masked_unless_permitted(client, auth):
    await customer(client, auth)
    await client.post("/api/v1/customers", headers=auth(["D2"]), json={"name": "外", "mobile": "13700137000",
                                                                      "dealer_id": "D2"})
    masked = await client.get("/api/v1/exports/customers", headers=auth())
    rows = [json.loads(line) for line in masked.text.splitlines()]
    assert [(r["dealer_id"], r["mobile"]) for r in rows] == [("D1", "138****8000")]
    plain = await client.get("/api/v1/exports/customers", params={"format": "csv"}, headers=auth(pii=True))
    lines = plain.text.splitlines()
    assert lines[0].startswith("id,dealer_id,kind,name,mobile") and "+8613800138000" in lines[1]
    log = (await client.get("/api/v1/pii-access-log", headers=auth(scope=[permissions.PII_AUDIT]))).json()
    assert [e["action"] for e in log["items"]] == ["export"]


async def test_another_dealers_records_answer_404_on_every_route(client, auth):
    theirs = await customer(client, auth)
    car = await vehicle(client, auth, theirs["id"])
    visit = (await client.post("/api/v1/visits", headers=auth(), json={
        "customer_id": theirs["id"], "kind": "parts", "subkind": "accessories", "visited_on": "2024-01-01",
        "amount": "99", "order_number": "INV-1"})).json()
    lead = (await client.post("/api/v1/leads", headers=auth(), json={"name": "x", "dealer_id": "D1"})).json()
    job, _ = await run_import(client, auth, "customers", "")
    mine = (await client.post("/api/v1/customers", headers=auth(["D2"]),
                              json={"name": "李", "mobile": "13700137000", "dealer_id": "D2"})).json()
    other = auth(["D2"], pii=True)
    c, v = theirs["id"], car["id"]
    calls = [
        ("GET", f"/api/v1/customers/{c}", None), ("PATCH", f"/api/v1/customers/{c}", {"city": "x"}),
        ("DELETE", f"/api/v1/customers/{c}", None),
        ("POST", f"/api/v1/customers/{c}/merge", {"duplicate_id": mine["id"]}),
        ("POST", f"/api/v1/customers/{mine['id']}/merge", {"duplicate_id": c}),
        ("POST", f"/api/v1/customers/{c}/erase", None),
        ("GET", f"/api/v1/customers/{c}/consents", None),
        ("POST", f"/api/v1/customers/{c}/consents", {"purpose": "care", "channel": "sms", "granted": True,
                                                      "source": "x"}),
        ("POST", "/api/v1/vehicles", {"customer_id": c, "vin": "WDD2050461A123456",
                                      "brand": "T", "model": "C"}),
        ("GET", f"/api/v1/vehicles/{v}", None), ("PATCH", f"/api/v1/vehicles/{v}", {"plate": "京A54321"}),
        ("POST", f"/api/v1/vehicles/{v}/odometer", {"km": 1, "read_on": "2024-01-01"}),
        ("POST", f"/api/v1/vehicles/{v}/transfer", {"to_customer_id": mine["id"], "on": "2024-01-01"}),
        ("POST", "/api/v1/visits", {"customer_id": c, "kind": "parts", "subkind": "parts",
                                    "visited_on": "2024-01-01", "amount": "1", "order_number": "X"}),
        ("GET", f"/api/v1/visits/{visit['id']}", None),
        ("GET", f"/api/v1/leads/{lead['id']}", None), ("POST", f"/api/v1/leads/{lead['id']}/convert", None),
        ("GET", f"/api/v1/imports/{job['id']}", None), ("GET", f"/api/v1/imports/{job['id']}/report", None),
    ]
    for method, url, body in calls:
        headers = {**other, "If-Match": "*"}
        response = await client.request(method, url, headers=headers, json=body)
        assert response.status_code == 404, (method, url, response.status_code, response.text)
    listed = (await client.get("/api/v1/customers", headers=other)).json()["items"]
    assert [x["id"] for x in listed] == [mine["id"]]
    exported = (await client.get("/api/v1/exports/customers", headers=other)).text
    assert c not in exported and mine["id"] in exported
    assert (await client.get(f"/api/v1/customers/{c}", headers=auth())).json()["city"] is None
    assert (await client.get(f"/api/v1/customers/{uuid.uuid4()}", headers=auth())).status_code == 404
