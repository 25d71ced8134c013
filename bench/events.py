"""Outbox relay throughput and event end-to-end latency, against raw aiokafka in the same run.

Baseline: an idempotent aiokafka producer (acks=all) and a plain consumer on the same broker — the
fastest our events could possibly travel. Measured: the relay draining a backlog of outbox rows, and
events written one transaction at a time at a steady rate, from the envelope time to the consumer's
database commit (outbox -> relay -> Kafka -> inbox consumer -> handler).
"""

import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from crm_contracts import Envelope, new_event
from crm_contracts.events.customer import CustomerRegistered
from crm_devstack.kafka import KafkaBroker
from crm_devstack.postgres import EmbeddedPostgres
from crm_kit.db import create_engine, ensure_database, session_factory
from crm_kit.inbox import EventConsumer
from crm_kit.kafka import ProducerHolder
from crm_kit.outbox import OutboxRelay, kit_metadata, outbox

BACKLOG = 20_000
RATE = 200  # events per second
STEADY_SECONDS = 20


def event() -> Envelope:
    customer = uuid.uuid4()
    return new_event(CustomerRegistered(customer_id=customer, dealer_id="D1", kind="person", status="customer",
                                        registered_at=datetime.now(UTC)),
                     service="bench", subject=str(customer), dealer_id="D1")


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


async def raw_throughput(bootstrap: str, topic: str) -> float:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=5)
    await producer.start()
    values = [(e.subject.encode(), e.to_json()) for e in (event() for _ in range(BACKLOG))]
    started = time.perf_counter()
    futures = [await producer.send(topic, value, key=key) for key, value in values]
    await asyncio.gather(*futures)
    elapsed = time.perf_counter() - started
    await producer.stop()
    return BACKLOG / elapsed


async def raw_latency(bootstrap: str, topic: str) -> list[float]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"raw-{uuid.uuid4().hex[:6]}",
                                auto_offset_reset="latest")
    await consumer.start()
    await asyncio.sleep(1)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=5)
    await producer.start()
    latencies: list[float] = []
    total = RATE * STEADY_SECONDS

    async def consume():
        while len(latencies) < total:
            for messages in (await consumer.getmany(timeout_ms=200)).values():
                now = time.time()
                latencies.extend(now - Envelope.from_json(m.value).time.timestamp() for m in messages)

    reader = asyncio.create_task(consume())
    await paced(total, lambda: producer.send(topic, event().to_json()))
    await asyncio.wait_for(reader, 60)
    await producer.stop()
    await consumer.stop()
    return latencies


async def paced(total: int, action) -> None:
    started = time.perf_counter()
    for index in range(total):
        delay = started + index / RATE - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await action()


async def relay_throughput(sessions, bootstrap: str, topic: str) -> float:
    rows = [{"event_id": e.id, "topic": topic, "key": e.subject, "type": e.type,
             "envelope": e.model_dump(mode="json", exclude_none=True)} for e in (event() for _ in range(BACKLOG))]
    async with sessions() as session, session.begin():
        for start in range(0, BACKLOG, 2000):
            await session.exec(outbox.insert(), params=rows[start:start + 2000])
    producer = ProducerHolder(bootstrap, client_id="bench-relay")
    relay = OutboxRelay(sessions, producer, "bench", batch_size=500)
    started = time.perf_counter()
    published = 0
    while published < BACKLOG:
        published += await relay.relay_once()
    elapsed = time.perf_counter() - started
    await producer.close()
    return BACKLOG / elapsed


async def pipeline_latency(sessions, bootstrap: str, topic: str) -> list[float]:
    from crm_kit.outbox import stage

    latencies: list[float] = []

    async def measure(session, received: Envelope) -> None:
        latencies.append(time.time() - received.time.timestamp())

    producer = ProducerHolder(bootstrap, client_id="bench-pipeline")
    relay = OutboxRelay(sessions, producer, "bench", poll_seconds=0.02)
    consumer = EventConsumer(sessions, producer, service="bench", bootstrap_servers=bootstrap, topics=[topic],
                             handlers={"crm.customer.registered.v1": measure})
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run())]
    while consumer.last_poll is None:
        await asyncio.sleep(0.1)
    await asyncio.sleep(2)  # let the group settle before the clock starts

    async def write_one():
        async with sessions() as session, session.begin():
            await stage(session, event(), topic)

    total = RATE * STEADY_SECONDS
    await paced(total, write_one)
    deadline = time.monotonic() + 60
    while len(latencies) < total and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await producer.close()
    return latencies


async def run(broker: KafkaBroker, postgres: EmbeddedPostgres) -> None:
    broker.create_topics(["bench.raw", "bench.raw-latency", "bench.relay", "bench.pipeline", "bench.pipeline.dlq"])
    url = postgres.url("bench_events")
    await ensure_database(url)
    engine = create_engine(url, pool_size=10)
    async with engine.begin() as connection:
        await connection.run_sync(kit_metadata.drop_all)
        await connection.run_sync(kit_metadata.create_all)
    sessions = session_factory(engine)

    raw_rate = await raw_throughput(broker.bootstrap_servers, "bench.raw")
    relay_rate = await relay_throughput(sessions, broker.bootstrap_servers, "bench.relay")
    raw = await raw_latency(broker.bootstrap_servers, "bench.raw-latency")
    pipeline = await pipeline_latency(sessions, broker.bootstrap_servers, "bench.pipeline")
    await engine.dispose()

    print(f"throughput, {BACKLOG:,} events (2 cores, one broker, one relay)")
    print(f"  raw aiokafka idempotent produce   {raw_rate:10,.0f} events/s")
    print(f"  outbox relay (claim+send+mark)    {relay_rate:10,.0f} events/s   {relay_rate / raw_rate:.2f}x raw")
    print(f"latency at a steady {RATE} events/s for {STEADY_SECONDS}s")
    print(f"  raw produce -> consume            p50 {percentile(raw, 50) * 1000:7.1f} ms  "
          f"p99 {percentile(raw, 99) * 1000:7.1f} ms  ({len(raw)} events)")
    print(f"  outbox -> relay -> inbox commit   p50 {percentile(pipeline, 50) * 1000:7.1f} ms  "
          f"p99 {percentile(pipeline, 99) * 1000:7.1f} ms  ({len(pipeline)} events)")


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        broker = KafkaBroker(Path(scratch) / "kafka")
        postgres = EmbeddedPostgres(Path(scratch) / "pg", fast=False)
        broker.start()
        postgres.start()
        try:
            asyncio.run(run(broker, postgres))
        finally:
            broker.stop()
            postgres.stop()


if __name__ == "__main__":
    main()
