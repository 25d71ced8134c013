"""Events written while the broker is down arrive once it is back, each with exactly one effect."""

import asyncio
import uuid

import pytest
import sqlalchemy as sa

from crm_devstack.kafka import KafkaBroker
from crm_devstack.pytest_plugin import eventually
from crm_kit.inbox import EventConsumer
from crm_kit.kafka import ProducerHolder
from crm_kit.outbox import OutboxRelay, stage

from .support import effect_count, effects, effects_at_least, record_effect, registered

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def own_broker(tmp_path):
    """A broker of this test's own: killing the shared one would disturb every other test."""
    broker = KafkaBroker(tmp_path / "kafka")
    broker.start()
    broker.create_topics(["outage", "outage.dlq"], partitions=3)
    yield broker
    broker.stop()


async def stage_many(sessions, count: int) -> None:
    async with sessions() as session, session.begin():
        for _ in range(count):
            await stage(session, registered(), "outage")


async def test_events_staged_during_a_broker_outage_arrive_after_restart(sessions, own_broker):
    producer = ProducerHolder(own_broker.bootstrap_servers, client_id="outage-test", request_timeout_ms=5000)
    relay = OutboxRelay(sessions, producer, "test", poll_seconds=0.02)
    consumer = EventConsumer(sessions, producer, service="test", bootstrap_servers=own_broker.bootstrap_servers,
                             topics=["outage"], handlers={"crm.customer.registered.v1": record_effect},
                             group_id=f"outage-{uuid.uuid4().hex[:6]}")
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run())]
    try:
        await stage_many(sessions, 50)
        await eventually(lambda: effects_at_least(sessions, 50), timeout=60)

        own_broker.kill()
        await stage_many(sessions, 100)  # committed to the database while nothing can reach Kafka
        await asyncio.sleep(3)
        assert await effect_count(sessions) == 50

        await asyncio.to_thread(own_broker.restart)
        await eventually(lambda: effects_at_least(sessions, 150), timeout=120)
        await asyncio.sleep(2)
        async with sessions() as session:
            total, distinct = (await session.exec(
                sa.select(sa.func.count(), sa.func.count(sa.distinct(effects.c.event_id))))).one()
        assert (total, distinct) == (150, 150)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await producer.close()
