"""The proxy in front of the real services (the suite's stack): limits, breaker, headers, CORS, size limit.

The gateway under test runs in-process with small limits and signs with the stack's key, so the real
services behind it accept its tokens.
"""

import asyncio
import uuid

import pytest

from crm_devstack.pytest_plugin import eventually, running
from crm_gateway.main import create_app

from .conftest import admin_token

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture
async def edge(stack, gateway_settings):
    settings = gateway_settings(
        signing_key=stack.signing_key(), rate_limit_per_second=1, rate_limit_burst=5, breaker_failures=3,
        breaker_open_seconds=2, idempotent_retries=0, max_body_bytes=4096,
        **{f"{service}_url": stack.url(service) for service in ("customer", "segmentation", "survey", "care")})
    async with running(create_app(settings)) as client:
        yield client


async def test_each_client_is_rate_limited_on_its_own_with_retry_after(edge):
    token = await admin_token(edge)
    missing = f"/api/v1/customers/{uuid.uuid4()}"
    answers = [await edge.get(missing, headers={"Authorization": f"Bearer {token}"}) for _ in range(8)]
    statuses = [a.status_code for a in answers]
    assert statuses[:5] == [404] * 5  # the customer service itself answered
    assert 429 in statuses[5:]
    limited = next(a for a in answers if a.status_code == 429)
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["content-type"] == "application/problem+json"
    # Another caller (here: no token, counted by address) is not slowed by the first one's limit.
    other = await edge.get(missing)
    assert other.status_code == 401


async def test_request_id_and_forwarded_headers_travel_and_answers_stream_back(edge):
    token = await admin_token(edge)
    response = await edge.get(f"/api/v1/customers/{uuid.uuid4()}",
                              headers={"Authorization": f"Bearer {token}", "X-Request-ID": "proxy-test-1"})
    assert response.status_code == 404 and response.headers["x-request-id"] == "proxy-test-1"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["instance"].startswith("/api/v1/customers/")


async def test_cors_preflight_for_the_front_end_and_size_limit(edge):
    preflight = await edge.options("/api/v1/customers", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:5173"
    stranger = await edge.options("/api/v1/customers", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in stranger.headers
    token = await admin_token(edge)
    huge = await edge.post("/api/v1/customers", headers={"Authorization": f"Bearer {token}"},
                           json={"name": "x" * 10_000, "dealer_id": "D-BIG"})
    assert huge.status_code == 413


async def test_circuit_opens_when_a_service_is_stopped_and_closes_when_it_is_back(stack, edge):
    token = {"Authorization": f"Bearer {await admin_token(edge)}"}
    stack.stop_process("care")
    try:
        failures = [await edge.get("/api/v1/care/tasks", headers=token) for _ in range(3)]
        assert [f.status_code for f in failures] == [503] * 3
        opened = await edge.get("/api/v1/care/tasks", headers=token)
        assert opened.status_code == 503 and opened.json()["circuit"] == "open"
        assert int(opened.headers["retry-after"]) >= 1
        # Other services are unaffected by care's open circuit.
        customers = await edge.get(f"/api/v1/customers/{uuid.uuid4()}", headers=token)
        assert customers.status_code == 404
    finally:
        stack.start_process("care")
        await asyncio.to_thread(stack.wait_ready, ("care",))

    async def closed_again():
        response = await edge.get("/api/v1/care/tasks", headers=token)
        return response.status_code not in (502, 503, 504)

    await eventually(closed_again, timeout=30, interval=0.5)
