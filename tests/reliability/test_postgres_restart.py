"""PostgreSQL restarted during writes: clients get a retryable 503 problem, and nothing is corrupted."""

import asyncio

import httpx
import pytest

from crm_devstack.pytest_plugin import eventually

from .support import FLOW, Writer, admin_token, count_profiles, delivery_report, new_dealer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

WRITES = 1_500


async def test_database_restart_answers_503_problems_and_every_write_lands_once(fault_stack):
    stack, dealer = fault_stack, new_dealer("postgres")
    writer = Writer(stack.url("gateway"), await admin_token(stack), dealer, concurrency=8)
    writing = asyncio.create_task(writer.register(WRITES, retry_unavailable=True))
    await eventually(lambda: writer.written_at_least(200), timeout=90, interval=0.1)
    await asyncio.to_thread(stack.postgres.restart)
    await eventually(lambda: writer.written_at_least(400), timeout=90, interval=0.1)
    await asyncio.to_thread(stack.postgres.restart)
    await writing

    print(f"\nstatuses seen by the clients: {writer.statuses}")
    assert set(writer.statuses) <= {201, 409, 503}  # never a 500
    assert writer.unavailable, "the restarts were not noticed by any client"
    for response in writer.unavailable:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"]
        assert response.json()["status"] == 503
    assert len(set(writer.created)) == WRITES  # each retried write landed once (a 409 names the first one)

    await eventually(lambda: profiles_at_least(stack, dealer, WRITES), timeout=120, interval=0.3)
    report = await delivery_report(stack, dealer, writer.created)
    assert report["customers"] == report["created"] == report["profiles"]
    assert report["events"] == report["events_per_customer"] == report["inboxed"] == WRITES
    async with httpx.AsyncClient(timeout=10) as client:
        for process in FLOW:
            assert (await client.get(stack.url(process) + "/readyz")).status_code == 200, process



async def profiles_at_least(stack, dealer: str, count: int) -> bool:
    return await count_profiles(stack, dealer) >= count
