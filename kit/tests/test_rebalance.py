"""Two replicas of a consumer share a topic's partitions; a rebalance in mid-stream doubles nothing."""

import asyncio
import uuid

import pytest
import sqlalchemy as sa

from crm_devstack.pytest_plugin import eventually
from crm_kit.inbox import EventConsumer
from crm_kit.outbox import OutboxRelay, stage

from .support import effect_count, effects, effects_at_least, record_effect, registered

pytestmark = pytest.mark.timeout(240)


async def stage_many(sessions, topic: str, count: int) -> None:
    async with sessions() as session, session.begin():
        for _ in range(count):
            await stage(session, registered(), topic)


async def test_a_second_replica_joins_and_the_first_leaves_without_lost_or_doubled_effects(
        sessions, producer, kafka, topic):
    group = f"replicas-{uuid.uuid4().hex[:6]}"

    def replica() -> EventConsumer:
        return EventConsumer(sessions, producer, service="test", bootstrap_servers=kafka.bootstrap_servers,
                             topics=[topic], handlers={"crm.customer.registered.v1": record_effect},
                             group_id=group, batch_size=20)

    relay = asyncio.create_task(OutboxRelay(sessions, producer, "test", poll_seconds=0.02).run())
    first = asyncio.create_task(replica().run())
    second = None
    try:
        await stage_many(sessions, topic, 200)
        await eventually(lambda: effects_at_least(sessions, 50), timeout=60)
        second = asyncio.create_task(replica().run())  # joins mid-stream: partitions are reassigned
        await stage_many(sessions, topic, 200)
        await eventually(lambda: effects_at_least(sessions, 250), timeout=60)
        first.cancel()  # leaves mid-stream: the second takes over every partition
        await stage_many(sessions, topic, 200)
        await eventually(lambda: effects_at_least(sessions, 600), timeout=90)
        await asyncio.sleep(1)
        async with sessions() as session:
            total, distinct = (await session.exec(
                sa.select(sa.func.count(), sa.func.count(sa.distinct(effects.c.event_id))))).one()
        assert (total, distinct) == (600, 600)
        assert await effect_count(sessions) == 600
    finally:
        for task in (relay, first, second):
            if task:
                task.cancel()
        await asyncio.gather(*(t for t in (relay, first, second) if t), return_exceptions=True)
