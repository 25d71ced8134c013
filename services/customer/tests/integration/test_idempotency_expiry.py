"""Odometer readings take an Idempotency-Key, and keys expire: after `idempotency_key_hours` a sweep removes
them, and the same key is then a new request."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm_customer.main import create_app
from crm_customer.settings import CustomerSettings
from crm_devstack.pytest_plugin import running
from crm_kit.idempotency import sweep_expired

from .conftest import person

VIN = "LFV2A21K5G3123456"


@pytest.fixture
async def service(settings_for):
    app = create_app(settings_for(CustomerSettings, idempotency_key_hours=2))
    async with running(app) as client:
        yield app, client


async def a_vehicle(client, auth) -> str:
    owner = (await client.post("/api/v1/customers", headers=auth(), json=person())).json()
    car = await client.post("/api/v1/vehicles", headers=auth(), json={
        "customer_id": owner["id"], "vin": VIN, "brand": "Toyota", "model": "Corolla"})
    assert car.status_code == 201, car.text
    return car.json()["id"]


async def readings(app, vehicle_id: str) -> list[tuple[int, str]]:
    async with app.state.sessions() as session:
        rows = await session.execute(sa.text("SELECT km, read_on::text FROM odometer_readings "
                                             "WHERE vehicle_id = :v ORDER BY id"), {"v": vehicle_id})
        return [tuple(row) for row in rows]


async def test_a_retried_odometer_reading_is_recorded_once_and_answered_again(service, auth, events):
    app, client = service
    vehicle_id = await a_vehicle(client, auth)
    path = f"/api/v1/vehicles/{vehicle_id}/odometer"
    headers = {**auth(), "Idempotency-Key": "odo-1"}
    first = await client.post(path, headers=headers, json={"km": 12000, "read_on": "2024-05-01"})
    assert first.status_code == 201, first.text
    # A later reading comes in between; the retry still answers the first one rather than refusing its km.
    later = await client.post(path, headers=auth(), json={"km": 15000, "read_on": "2024-06-01"})
    assert later.status_code == 201, later.text
    again = await client.post(path, headers=headers, json={"km": 12000, "read_on": "2024-05-01"})
    assert again.status_code == 201, again.text
    assert again.json() == first.json() == {"vehicle_id": vehicle_id, "km": 12000, "read_on": "2024-05-01",
                                            "correction": False}
    assert await readings(app, vehicle_id) == [(12000, "2024-05-01"), (15000, "2024-06-01")]
    vehicle = (await client.get(f"/api/v1/vehicles/{vehicle_id}", headers=auth())).json()
    assert vehicle["odometer_km"] == 15000

    owner_id = vehicle["customer_id"]
    published = await events(owner_id, count=4)
    assert [e.type for e in published].count("crm.odometer.recorded.v1") == 2


async def test_the_same_key_on_another_reading_is_refused_naming_the_header(service, auth):
    app, client = service
    vehicle_id = await a_vehicle(client, auth)
    path = f"/api/v1/vehicles/{vehicle_id}/odometer"
    headers = {**auth(), "Idempotency-Key": "odo-2"}
    assert (await client.post(path, headers=headers, json={"km": 9000, "read_on": "2024-05-01"})).status_code == 201
    other = await client.post(path, headers=headers, json={"km": 9500, "read_on": "2024-05-02"})
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")
    assert [(e["in"], e["name"]) for e in other.json()["errors"]] == [("header", "Idempotency-Key")]
    assert await readings(app, vehicle_id) == [(9000, "2024-05-01")]


async def test_an_expired_key_is_swept_and_then_taken_as_a_new_request(service, auth):
    app, client = service
    vehicle_id = await a_vehicle(client, auth)
    path = f"/api/v1/vehicles/{vehicle_id}/odometer"
    headers = {**auth(), "Idempotency-Key": "odo-3"}
    assert (await client.post(path, headers=headers, json={"km": 8000, "read_on": "2024-05-01"})).status_code == 201
    fresh = {**auth(), "Idempotency-Key": "odo-fresh"}
    assert (await client.post(path, headers=fresh, json={"km": 8100, "read_on": "2024-05-02"})).status_code == 201

    async with app.state.sessions() as session, session.begin():
        await session.execute(sa.text("UPDATE idempotency_keys SET created_at = created_at - interval '3 hours' "
                                      "WHERE key = 'odo-3'"))
    swept = await sweep_expired(app.state.sessions, timedelta(hours=app.state.settings.idempotency_key_hours))
    assert swept == 1
    async with app.state.sessions() as session:
        kept = (await session.execute(sa.text("SELECT key FROM idempotency_keys ORDER BY key"))).scalars().all()
    assert "odo-3" not in kept and "odo-fresh" in kept

    reused = await client.post(path, headers=headers, json={"km": 8500, "read_on": "2024-05-03"})
    assert reused.status_code == 201, reused.text
    assert reused.json()["km"] == 8500
    assert await readings(app, vehicle_id) == [(8000, "2024-05-01"), (8100, "2024-05-02"), (8500, "2024-05-03")]
