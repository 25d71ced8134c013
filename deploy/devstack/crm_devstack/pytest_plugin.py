"""Fixtures for every test suite: a real broker and a real PostgreSQL, started once per test session.

Loaded with `-p crm_devstack.pytest_plugin` (root pyproject). Each test gets a fresh database; kit
tests get topics of their own, so tests never see each other's data.
"""

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import jwt
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from crm_contracts import Envelope
from crm_devstack.kafka import KafkaBroker, free_port
from crm_devstack.postgres import EmbeddedPostgres
from crm_devstack.stack import PROCESSES, Stack, all_topics

PARTITIONS = int(os.environ.get("CRM_TEST_PARTITIONS", "3"))
ISSUER, AUDIENCE = "crm-gateway", "crm"


@pytest.fixture(scope="session")
def kafka(tmp_path_factory) -> KafkaBroker:
    broker = KafkaBroker(tmp_path_factory.mktemp("kafka"))
    broker.start()
    broker.create_topics(all_topics(), partitions=PARTITIONS)
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory) -> EmbeddedPostgres:
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "data", fast=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def database_url(postgres) -> str:
    """A database of this test's own (created by the service at start, or by `create_database`)."""
    return postgres.url(f"test_{uuid.uuid4().hex[:16]}")


@pytest.fixture
def topic(kafka) -> str:
    """A topic of this test's own, with its dead-letter topic."""
    name = f"test.{uuid.uuid4().hex[:12]}"
    kafka.create_topics([name, f"{name}.dlq"], partitions=PARTITIONS)
    return name


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def public_key_pem(signing_key) -> str:
    return signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@pytest.fixture(scope="session")
def mint(signing_key) -> Callable[..., str]:
    """mint(scope=[...], dealers=[...]) -> a bearer token the services accept (as the gateway's would be)."""

    def mint(*, scope: list[str], dealers: list[str], roles: list[str] = (), subject: str = "tester",
             ttl: int = 600, kind: str = "user") -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject, "iat": now, "exp": now + ttl, "typ": kind,
                  "roles": list(roles), "scope": " ".join(scope), "dealers": list(dealers)}
        return jwt.encode(claims, signing_key, algorithm="EdDSA", headers={"kid": "test"})

    return mint


@pytest.fixture
def settings_for(kafka, database_url, public_key_pem):
    """settings_for(CustomerSettings, **overrides): a service's settings against the test infrastructure."""

    def settings_for(settings_class, **overrides):
        values = dict(environment="test", database_url=database_url, jwt_public_key=public_key_pem,
                      jwt_jwks_url=None, kafka_bootstrap_servers=kafka.bootstrap_servers, log_json=False,
                      relay_poll_seconds=0.02, consumer_retry_seconds=0.05, database_pool_size=5)
        return settings_class(**{**values, **overrides})

    return settings_for


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan (migrations, relay, consumer) and talk to it in-process over ASGI."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


@pytest.fixture(scope="session")
def stack(tmp_path_factory, kafka, postgres) -> Stack:
    """The whole suite as real processes, as `make run` starts it, on free ports."""
    state = tmp_path_factory.mktemp("stack")
    suite = Stack(state, ports={process: free_port() for process in PROCESSES}, broker=kafka, postgres=postgres,
                  partitions=PARTITIONS)
    try:
        suite.start()
        yield suite
    finally:
        suite.stop()


class TopicReader:
    """The envelopes a topic carries from its start, picked by subject (the customer they are about)."""

    def __init__(self, consumer: AIOKafkaConsumer):
        self.consumer, self.seen = consumer, []

    async def _drain(self) -> None:
        for messages in (await self.consumer.getmany(timeout_ms=200)).values():
            self.seen.extend(Envelope.from_json(m.value) for m in messages)

    def _about(self, subjects: set[str], type: str | None) -> list[Envelope]:
        return [e for e in self.seen if e.subject in subjects and (type is None or e.type == type)]

    async def about(self, *subjects, count: int | None = None, type: str | None = None, timeout: float = 30,
                    settle: bool = True) -> list[Envelope]:
        """Once at least `count` of them arrived (with no count: what has arrived); `settle` reads on a
        moment longer, so that anything published that should not have been is among them."""
        wanted = {str(subject) for subject in subjects}
        if count is not None:

            async def enough():
                await self._drain()
                return len(self._about(wanted, type)) >= count

            await eventually(enough, timeout=timeout)
        if settle or count is None:
            for _ in range(3):
                await self._drain()
        return self._about(wanted, type)


@pytest.fixture
async def topic_reader(kafka):
    """topic_reader(topic) -> a TopicReader of that topic, read from its start, closed after the test."""
    consumers: list[AIOKafkaConsumer] = []

    async def open_reader(topic: str) -> TopicReader:
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka.bootstrap_servers, auto_offset_reset="earliest",
                                    group_id=None)
        await consumer.start()
        consumers.append(consumer)
        return TopicReader(consumer)

    yield open_reader
    for consumer in consumers:
        await consumer.stop()


async def skip_backlog(kafka: KafkaBroker, group: str, topics: list[str]) -> None:
    """Commit `group`'s offsets at the end of `topics`, so the in-process service started next reads only
    what its test sends. The session's broker is shared: without this, a service whose group reads for the
    first time starts at the oldest event and must first work through every earlier test's events."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, group_id=group,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()  # loads the metadata that names each topic's partitions
        partitions = [TopicPartition(topic, partition) for topic in topics
                      for partition in consumer.partitions_for_topic(topic) or ()]
        if partitions:
            consumer.assign(partitions)
            await consumer.commit(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


async def eventually(check, timeout: float = 20, interval: float = 0.1):
    """Await check() until it returns a truthy value; events take a moment to travel."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout}s: {check.__name__} -> {result!r}")
        await asyncio.sleep(interval)
