"""crm_devstack.kafka against a real Kafka broker (Maven jars, KRaft, one node) and aiokafka.

The broker is started once for the module; the last test kills and restarts it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaTimeoutError, UnknownTopicOrPartitionError
from aiokafka.structs import ConsumerRecord

from crm_devstack.kafka import KafkaBroker


@pytest.fixture(scope="module")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    broker = KafkaBroker(tmp_path_factory.mktemp("kafka"), heap="512m")
    broker.start(timeout=120)
    try:
        yield broker
    finally:
        broker.stop()
    assert not broker.is_running


def _topic(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4().hex[:8]}"


async def _consume(
    bootstrap: str, topic: str, count: int, wait_s: float = 20, **consumer_kw: object
) -> list[ConsumerRecord]:
    """Read `count` records of `topic` from the beginning (or whatever arrived within wait_s)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", **consumer_kw)
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        deadline = time.monotonic() + wait_s
        while len(records) < count and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for batch in batches.values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


@pytest.mark.timeout(180)  # includes the broker's cold start in the module fixture
async def test_create_topics_and_no_auto_create(kafka_broker: KafkaBroker) -> None:
    four, default = _topic("t.four"), _topic("t.default")
    # Called straight from a coroutine: create_topics runs its own loop in a fresh thread.
    kafka_broker.create_topics([four], partitions=4)
    await asyncio.to_thread(kafka_broker.create_topics, [default])
    await asyncio.to_thread(kafka_broker.create_topics, [four, default], 7)  # idempotent: no error, no change

    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_broker.bootstrap_servers)
    await admin.start()
    try:
        described = {t["topic"]: t for t in await admin.describe_topics([four, default])}
        assert {name: len(t["partitions"]) for name, t in described.items()} == {four: 4, default: 3}
        for t in described.values():
            assert t["error_code"] == 0
            assert all(len(p["replicas"]) == 1 and p["leader"] == 1 for p in t["partitions"])

        [cfg] = await admin.describe_configs([ConfigResource(ConfigResourceType.BROKER, "1")])
        entries = {e[0]: e[1] for e in cfg.resources[0][4]}
        assert entries["auto.create.topics.enable"] == "false"

        unknown = _topic("t.unknown")
        producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers, request_timeout_ms=1000)
        await producer.start()
        try:
            with pytest.raises((KafkaTimeoutError, UnknownTopicOrPartitionError)):
                await producer.send_and_wait(unknown, b"nobody home")
        finally:
            await producer.stop()
        assert unknown not in await admin.list_topics()
    finally:
        await admin.close()


@pytest.mark.timeout(90)
async def test_produce_consume_round_trip(kafka_broker: KafkaBroker) -> None:
    topic = _topic("t.roundtrip")
    await asyncio.to_thread(kafka_broker.create_topics, [topic])
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        meta = await producer.send_and_wait(
            topic, b'{"event":"customer.created"}', key=b"customer-42", headers=[("trace-id", b"abc123")]
        )
    finally:
        await producer.stop()

    [record] = await _consume(
        kafka_broker.bootstrap_servers, topic, 1, group_id=_topic("g.roundtrip"), enable_auto_commit=False
    )
    assert (record.partition, record.offset) == (meta.partition, meta.offset)
    assert record.key == b"customer-42"
    assert record.value == b'{"event":"customer.created"}'
    assert list(record.headers) == [("trace-id", b"abc123")]


@pytest.mark.timeout(90)
async def test_idempotent_producer(kafka_broker: KafkaBroker) -> None:
    topic = _topic("t.idempotent")
    await asyncio.to_thread(kafka_broker.create_topics, [topic], 1)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers, enable_idempotence=True)
    await producer.start()
    try:
        sent = await asyncio.gather(*[await producer.send(topic, f"m{i}".encode()) for i in range(20)])
        # InitProducerId succeeded: the broker handed out a producer id (private attribute, no public API).
        assert producer._txn_manager is not None and producer._txn_manager.producer_id >= 0
    finally:
        await producer.stop()
    assert [m.offset for m in sent] == list(range(20))

    records = await _consume(kafka_broker.bootstrap_servers, topic, 20)
    assert [r.value for r in records] == [f"m{i}".encode() for i in range(20)]


@pytest.mark.timeout(90)
async def test_transactions_commit_and_abort(kafka_broker: KafkaBroker) -> None:
    topic = _topic("t.tx")
    await asyncio.to_thread(kafka_broker.create_topics, [topic], 1)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers, transactional_id=_topic("tx.test"))
    await producer.start()
    try:
        async with producer.transaction():
            await producer.send(topic, b"committed-1")
            await producer.send(topic, b"committed-2")

        await producer.begin_transaction()
        await producer.send_and_wait(topic, b"aborted-1")
        await producer.abort_transaction()

        async with producer.transaction():
            await producer.send(topic, b"committed-3")
    finally:
        await producer.stop()

    committed = await _consume(kafka_broker.bootstrap_servers, topic, 3, isolation_level="read_committed")
    assert [r.value for r in committed] == [b"committed-1", b"committed-2", b"committed-3"]

    # The aborted record really is in the log: a read_uncommitted consumer sees it.
    everything = await _consume(kafka_broker.bootstrap_servers, topic, 4, isolation_level="read_uncommitted")
    assert [r.value for r in everything] == [b"committed-1", b"committed-2", b"aborted-1", b"committed-3"]


@pytest.mark.timeout(240)
async def test_kill_and_restart_keeps_data(kafka_broker: KafkaBroker) -> None:
    topic = _topic("t.restart")
    await asyncio.to_thread(kafka_broker.create_topics, [topic], 1)
    old_pid = kafka_broker.pid
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"before-kill")

        await asyncio.to_thread(kafka_broker.kill)
        assert not kafka_broker.is_running
        await asyncio.to_thread(kafka_broker.restart)
        assert kafka_broker.is_running and kafka_broker.pid != old_pid

        # A producer that lived through the crash reconnects by itself.
        await asyncio.wait_for(producer.send_and_wait(topic, b"after-restart-old-producer"), 60)
    finally:
        await producer.stop()

    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"after-restart-new-producer")
    finally:
        await producer.stop()

    records = await _consume(kafka_broker.bootstrap_servers, topic, 3)
    assert [r.value for r in records] == [
        b"before-kill",
        b"after-restart-old-producer",
        b"after-restart-new-producer",
    ]
