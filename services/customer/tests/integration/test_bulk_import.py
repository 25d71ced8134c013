"""A dealer's first day: a few thousand customers, vehicles and visits through the import API, every event
carrying the job, the job's completion counting them, a nightly re-run that changes and publishes nothing, and a
worker stopped in the middle of a batch that resumes without doubling anything."""

import asyncio
import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from crm_contracts import topics
from crm_customer.handlers import imports
from crm_customer.main import create_app
from crm_customer.settings import CustomerSettings
from crm_devstack.pytest_plugin import eventually, running

from .test_imports import ndjson, run_import

COMPLETED = "crm.customer.import.completed.v1"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ROWS = 2000


def resident_id(area: str, born: date, sequence: int) -> str:
    """A GB 11643 number with its ISO 7064 MOD 11-2 check character."""
    body = f"{area}{born:%Y%m%d}{sequence:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


def first_day_customers() -> list[dict]:
    rows = []
    for i in range(ROWS):
        born = date(1960, 1, 1) + timedelta(days=7 * i)
        row = {"name": f"客户{i}", "mobile": f"139{i:08d}", "city": "长春", "birth_date": born.isoformat()}
        if i % 4 == 0:  # every fourth brings a resident ID (odd sequence: male)
            row |= {"id_number": resident_id("110105", born, 11), "gender": "male"}
        rows.append(row)
    rows[10] = {"name": "坏号码", "mobile": "12345"}
    rows[20] = {"name": "未来", "mobile": "13900000020", "id_number": resident_id("110105", date(2099, 1, 1), 11)}
    rows[30] = {"name": "老潮阳", "mobile": "13900000030",  # Chaoyang county, abolished in 1993
                "id_number": resident_id("440524", date(1980, 1, 1), 1)}
    return rows


@pytest.fixture
async def service(settings_for):
    app = create_app(settings_for(CustomerSettings, import_poll_seconds=0.05, import_batch_size=700))
    async with running(app) as client:
        yield app, client


async def test_a_first_day_import_publishes_every_event_with_its_job_and_a_rerun_publishes_none(
        service, auth, topic_reader):
    app, client = service
    reader = await topic_reader(topics.CUSTOMER)
    job, _ = await run_import(client, auth, "customers", ndjson(first_day_customers()))
    assert (job["total_rows"], job["created"], job["failed"], job["events"]) == (ROWS, ROWS - 2, 2, ROWS - 2)
    everything = await _whole_report(client, auth, job["id"])
    failed = {r["line"]: r for r in everything if r["outcome"] == "failed"}
    assert set(failed) == {11, 21}
    assert [e["pointer"] for e in failed[11]["errors"]] == ["/mobile"]
    assert [e["pointer"] for e in failed[21]["errors"]] == ["/id_number"]
    assert "future" in failed[21]["errors"][0]["detail"]
    assert "440524" in everything[30]["warnings"][0] and everything[30]["outcome"] == "created"

    ids = [r["record_id"] for r in everything if r["outcome"] == "created"]
    registered = await reader.about(*ids, count=len(ids), type="crm.customer.registered.v1")
    assert len(registered) == len(ids)
    assert {e.importjob for e in registered} == {job["id"]}
    born = {e.subject: e.data for e in registered}[everything[0]["record_id"]]
    assert born["birthday"] == "01-01" and "+86" not in json.dumps(born)
    completed = await reader.about(job["id"], count=1, type=COMPLETED)
    assert completed[0].importjob is None
    assert (completed[0].data["events"], completed[0].data["created"], completed[0].data["failed"]) == (
        ROWS - 2, ROWS - 2, 2)

    async with app.state.sessions() as session:
        staged = (await session.exec(sa.text(
            "SELECT count(*) FILTER (WHERE payload IS NOT NULL), count(*) FILTER (WHERE payload::text LIKE "
            "'%110105%') FROM import_rows"))).one()
        stored = (await session.exec(sa.text(
            "SELECT count(*) FROM customers WHERE id_number_cipher IS NOT NULL"))).scalar_one()
    assert tuple(staged) == (0, 0)  # handled rows keep no payload, so no ID number in clear
    assert stored == ROWS // 4

    again, _ = await run_import(client, auth, "customers", ndjson(first_day_customers()))
    assert (again["unchanged"], again["created"], again["updated"], again["events"]) == (ROWS - 2, 0, 0, 0)
    completed_again = await reader.about(again["id"], count=1, type=COMPLETED)
    assert completed_again[0].data["events"] == 0
    assert len(await reader.about(*ids)) == len(ids)  # nothing more about any of them


async def test_vehicles_and_visits_by_the_thousand_count_their_events_and_rerun_unchanged(service, auth, topic_reader):
    _, client = service
    reader = await topic_reader(topics.CUSTOMER)
    people = [{"name": f"车主{i}", "mobile": f"137{i:08d}"} for i in range(500)]
    await run_import(client, auth, "customers", ndjson(people))
    cars = [{"vin": vin(i), "customer_mobile": f"137{i % 500:08d}", "brand": "Toyota", "model": "Corolla",
             "delivery_date": "2020-05-01"} for i in range(1000)]
    cars[5]["vin"] = "LFV2A21K0G3000000"  # a China-made VIN with a wrong check digit
    job, _ = await run_import(client, auth, "vehicles", ndjson(cars))
    assert (job["created"], job["failed"], job["events"]) == (999, 1, 999)
    visits = [{"order_number": f"RO-{i}", "customer_mobile": f"137{i % 500:08d}", "vin": vin(i % 1000),
               "kind": "service", "subkind": "maintenance", "visited_on": "2024-03-01", "amount": "680",
               "odometer_km": 20000 + i} for i in range(2000) if i % 1000 != 5]
    job, _ = await run_import(client, auth, "visits", ndjson(visits))
    # each visit records the car's newest odometer reading too (the later visit of a car reads higher)
    assert (job["created"], job["failed"], job["events"]) == (1998, 0, 2 * 1998)
    completed = await reader.about(job["id"], count=1, type=COMPLETED)
    assert completed[0].data["events"] == 2 * 1998
    for kind, rows in (("vehicles", cars), ("visits", visits)):
        again, _ = await run_import(client, auth, kind, ndjson(rows))
        assert (again["created"], again["updated"], again["events"]) == (0, 0, 0), kind
        assert again["unchanged"] == len(rows) - (1 if kind == "vehicles" else 0)


async def test_the_api_refuses_an_id_born_in_the_future_and_warns_about_an_abolished_county(service, auth, events):
    _, client = service
    future = await client.post("/api/v1/customers", headers={**auth(), "Accept-Language": "en"}, json={
        "name": "未来", "mobile": "13800138001", "id_number": resident_id("110105", date(2099, 1, 1), 11)})
    assert future.status_code == 422
    assert [(e["pointer"], "future" in e["detail"]) for e in future.json()["errors"]] == [("/id_number", True)]
    old = await client.post("/api/v1/customers", headers=auth(pii=True), json={
        "name": "老潮阳", "mobile": "13800138002", "id_number": resident_id("440524", date(1980, 1, 1), 1),
        "birth_date": "1980-01-01", "lunar_birthday": True})
    assert old.status_code == 201, old.text
    assert old.json()["id_number"] == "440524198001010013" and "440524" in old.json()["warnings"][0]
    unknown_province = await client.post("/api/v1/customers", headers=auth(), json={
        "name": "无省", "mobile": "13800138003", "id_number": resident_id("990105", date(1980, 1, 1), 1)})
    assert [e["pointer"] for e in unknown_province.json()["errors"]] == ["/id_number"]
    registered = await events(old.json()["id"], count=1)
    # 1980-01-01 fell on the 14th day of the 11th lunar month of 1979
    assert (registered[0].data["lunar_birthday"], registered[0].data["lunar_birthday_md"]) == (True, "11-14")


def vin(serial: int) -> str:
    values = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
              **dict(zip("JKLMN", range(1, 6), strict=True)), "P": 7, "R": 9,
              **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
    body = f"LFMA1{serial % 1000:03d}0RF{serial:06d}"
    check = sum(values[c] * w for c, w in zip(body, (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2),
                                            strict=True)) % 11
    return body[:8] + ("X" if check == 10 else str(check)) + body[9:]


async def test_a_worker_stopped_mid_batch_resumes_and_doubles_nothing(settings_for, auth):
    """The service's own worker is kept idle (a long poll); this test plays the worker and stops it part-way."""
    app = create_app(settings_for(CustomerSettings, import_poll_seconds=30, import_batch_size=500))
    async with running(app) as client:
        await asyncio.sleep(0.5)  # the idle worker has looked once, before the upload
        rows = [{"name": f"客户{i}", "mobile": f"136{i:08d}"} for i in range(1500)]
        started = await client.post("/api/v1/imports", params={"kind": "customers"}, content=ndjson(rows),
                                    headers={**auth(), "Content-Type": "application/x-ndjson"})
        job_id = started.json()["id"]
        sessions, keyring = app.state.sessions, app.state.keyring
        await imports.process_next_batch(sessions, keyring, 500)  # one batch commits
        stopped = asyncio.create_task(imports.process_next_batch(sessions, keyring, 500))
        await asyncio.sleep(0.05)
        stopped.cancel()  # the process dies in the middle of the second batch: its transaction never commits
        await asyncio.gather(stopped, return_exceptions=True)
        while await imports.process_next_batch(sessions, keyring, 500):
            pass

        async def finished():
            job = (await client.get(f"/api/v1/imports/{job_id}", headers=auth())).json()
            return job if job["status"] == "done" else None

        job = await eventually(finished)
        assert (job["created"], job["processed"], job["events"]) == (1500, 1500, 1500)
        async with sessions() as session:
            counts = (await session.exec(sa.text(
                "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM outbox WHERE type = "
                "'crm.customer.registered.v1'), (SELECT count(*) FROM outbox WHERE type = :done)"),
                params={"done": COMPLETED})).one()
        assert tuple(counts) == (1500, 1500, 1)


async def _whole_report(client, auth, job_id: str) -> list[dict]:
    rows, cursor = [], None
    while True:
        params = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(f"/api/v1/imports/{job_id}/report", params=params,
                                 headers={**auth(), "Accept-Language": "en"})).json()
        rows += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return rows
