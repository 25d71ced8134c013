"""The outbox and the inbox against the real broker and a real database: nothing lost, nothing doubled."""

import asyncio
import uuid

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from crm_contracts import Envelope
from crm_devstack.pytest_plugin import eventually
from crm_kit.inbox import EventConsumer
from crm_kit.outbox import OutboxRelay, outbox, stage

from .support import effect_count, effects, effects_at_least, record_effect, registered

pytestmark = pytest.mark.timeout(120)

async def read_topic(bootstrap: str, topic: str, expect: int, wait: float = 10) -> list:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=None, enable_auto_commit=False)
    await consumer.start()
    messages = []
    try:
        deadline = asyncio.get_running_loop().time() + wait
        while len(messages) < expect and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            messages += [m for ms in batch.values() for m in ms]
        batch = await consumer.getmany(timeout_ms=500)  # anything beyond what we expect is a duplicate
        messages += [m for ms in batch.values() for m in ms]
    finally:
        await consumer.stop()
    return messages


def consumer_for(sessions, producer, kafka, topic: str, handler=record_effect, **options) -> EventConsumer:
    return EventConsumer(sessions, producer, service="test", bootstrap_servers=kafka.bootstrap_servers,
                         topics=[topic], handlers={"crm.customer.registered.v1": handler},
                         group_id=f"group-{uuid.uuid4().hex[:8]}", retry_seconds=0.01, **options)


async def test_committed_event_is_published_once_and_rolled_back_one_never(sessions, producer, kafka, topic):
    kept, dropped = registered(), registered()
    async with sessions() as session, session.begin():
        await stage(session, kept, topic)
    async with sessions() as session, session.begin():
        await stage(session, dropped, topic)
        await session.rollback()

    relay = OutboxRelay(sessions, producer, "test")
    assert await relay.relay_once() == 1
    assert await relay.relay_once() == 0

    messages = await read_topic(kafka.bootstrap_servers, topic, expect=1)
    assert [Envelope.from_json(m.value).id for m in messages] == [kept.id]
    assert messages[0].key == kept.subject.encode()
    async with sessions() as session:
        published_at = (await session.exec(sa.select(outbox.c.published_at))).scalar_one()
    assert published_at is not None


class CrashBetweenPublishAndMark(OutboxRelay):
    async def mark_published(self, session, seqs):
        raise RuntimeError("relay killed after the broker acknowledged, before the rows were marked")


async def test_relay_crash_after_publish_republishes_and_the_inbox_keeps_one_effect(sessions, producer, kafka, topic):
    event = registered()
    async with sessions() as session, session.begin():
        await stage(session, event, topic)

    with pytest.raises(RuntimeError):
        await CrashBetweenPublishAndMark(sessions, producer, "test").relay_once()
    assert await OutboxRelay(sessions, producer, "test").relay_once() == 1

    copies = await read_topic(kafka.bootstrap_servers, topic, expect=2)
    assert [Envelope.from_json(m.value).id for m in copies] == [event.id, event.id]

    consumer = consumer_for(sessions, producer, kafka, topic)
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: effects_at_least(sessions, 1))
        await asyncio.sleep(1)  # time for the second copy to be (not) applied
        assert await effect_count(sessions) == 1
    finally:
        task.cancel()


async def test_same_event_delivered_three_times_has_one_effect(sessions, producer, kafka, topic):
    event = registered()
    raw = await AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers).__aenter__()
    try:
        for _ in range(3):
            await raw.send_and_wait(topic, event.to_json(), key=event.subject.encode())
        after = registered()
        await raw.send_and_wait(topic, after.to_json(), key=event.subject.encode())
    finally:
        await raw.stop()

    task = asyncio.create_task(consumer_for(sessions, producer, kafka, topic).run())
    try:
        await eventually(lambda: effects_at_least(sessions, 2))
        await asyncio.sleep(0.5)
        async with sessions() as session:
            ids = (await session.exec(sa.select(effects.c.event_id))).scalars().all()
        assert sorted(ids) == sorted([event.id, after.id])
    finally:
        task.cancel()


async def test_poison_messages_go_to_the_dead_letter_topic_and_the_consumer_goes_on(
        sessions, producer, kafka, topic):
    failing = registered(dealer="POISON")
    good = registered()

    async def fail_for_poison_dealer(session, event):
        if event.dealerid == "POISON":
            raise ValueError("cannot handle this dealer")
        await record_effect(session, event)

    raw = await AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers).__aenter__()
    try:
        key = b"same-partition"  # one partition, so the good event queues behind both poison messages
        await raw.send_and_wait(topic, b"{not json", key=key)
        await raw.send_and_wait(topic, failing.to_json(), key=key)
        await raw.send_and_wait(topic, good.to_json(), key=key)
    finally:
        await raw.stop()

    task = asyncio.create_task(
        consumer_for(sessions, producer, kafka, topic, handler=fail_for_poison_dealer, max_attempts=3).run())
    try:
        await eventually(lambda: effects_at_least(sessions, 1))
        dead = await read_topic(kafka.bootstrap_servers, f"{topic}.dlq", expect=2)
    finally:
        task.cancel()
    assert [m.value for m in dead] == [b"{not json", failing.to_json()]
    errors = [dict(m.headers)["crm_error"].decode() for m in dead]
    assert "not a CloudEvents envelope" in errors[0]
    assert "cannot handle this dealer" in errors[1]
    assert await effect_count(sessions) == 1
