"""kill -9 the broker during 5,000 writes and restart it: every event is delivered, with exactly one effect."""

import asyncio

import pytest

from crm_contracts import topics
from crm_devstack.pytest_plugin import eventually

from .support import Writer, admin_token, count_profiles, delivery_report, messages_on, new_dealer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

WRITES = 5_000


async def test_broker_killed_and_restarted_during_5000_writes_loses_and_doubles_nothing(fault_stack):
    stack, dealer = fault_stack, new_dealer("broker")
    writer = Writer(stack.url("customer"), await admin_token(stack), dealer)
    writing = asyncio.create_task(writer.register(WRITES))
    try:
        await eventually(lambda: profiles_at_least(stack, dealer, 200), timeout=90, interval=0.2)
        await asyncio.to_thread(stack.broker.kill)
        written_at_kill = len(writer.created)
        # Writes go on while the broker is dead: the outbox keeps their events.
        await eventually(lambda: writer.written_at_least(written_at_kill + 500), timeout=90, interval=0.2)
        await asyncio.to_thread(stack.broker.restart)
        await writing
    finally:
        if not stack.broker.is_running:
            await asyncio.to_thread(stack.broker.restart)
    assert len(writer.created) == WRITES and writer.statuses == {201: WRITES}

    await eventually(lambda: profiles_at_least(stack, dealer, WRITES), timeout=150, interval=0.5)
    report = await delivery_report(stack, dealer, writer.created)
    assert report["customers"] == report["created"] == report["profiles"]
    assert report["events"] == report["events_per_customer"] == WRITES  # one registered event per customer
    assert report["unpublished"] == 0
    assert report["inboxed"] == WRITES  # the consumer recorded each event id once
    published = await messages_on(stack, topics.CUSTOMER, report["customers"])
    print(f"\n{len(published)} messages on {topics.CUSTOMER} for {WRITES} events "
          f"({len(published) - WRITES} re-sent after the crash, dropped by the inbox)")
    assert {m.key.decode() for m in published} == report["customers"]
    assert await messages_on(stack, topics.dead_letter(topics.CUSTOMER), report["customers"]) == []


async def profiles_at_least(stack, dealer: str, count: int) -> bool:
    return await count_profiles(stack, dealer) >= count

