"""The care service on the real PostgreSQL and Kafka; other services' events are published for real,
the customer service runs for real on a port of its own, and the channels talk to real local servers."""

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime

import pytest
import uvicorn
from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller

from crm_care.main import create_app
from crm_care.settings import CareSettings
from crm_care.sinks import MailSink, receiver
from crm_contracts import Envelope, Payload, new_event, permissions, topics
from crm_contracts.registry import REGISTRY
from crm_devstack.ports import free_port
from crm_devstack.pytest_plugin import running

STAFF = [permissions.CARE_READ, permissions.CARE_WORK, permissions.CARE_MANAGE, permissions.RESCUE_REQUEST]
QUICK = dict(scan_interval_seconds=0.5, dispatch_poll_seconds=0.05, send_poll_seconds=0.05,
             send_retry_base_seconds=0.2)


@contextlib.asynccontextmanager
async def serving(app, port: int):
    """A real HTTP server on 127.0.0.1:port in this event loop."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                           lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
def care_settings(settings_for):
    def make(**overrides) -> CareSettings:
        return settings_for(CareSettings, **{**QUICK, **overrides})

    return make


@pytest.fixture
async def care(care_settings):
    async with running(create_app(care_settings())) as client:
        yield client


@pytest.fixture
def auth(mint):
    def auth(dealers=("D1",), scope=None):
        return {"Authorization": f"Bearer {mint(scope=list(scope or STAFF), dealers=list(dealers))}"}

    return auth


@pytest.fixture
async def publish(kafka):
    """publish(payload, service=..., subject=...) -> the envelope, sent as the owning service would."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, enable_idempotence=True)
    await producer.start()

    async def send(payload: Payload, *, service: str, subject: uuid.UUID, dealer_id: str = "D1") -> Envelope:
        event = new_event(payload, service=service, subject=str(subject), dealer_id=dealer_id)
        topic = next(t.topic for t in REGISTRY.values() if t.payload is type(payload))
        await producer.send_and_wait(topic, event.to_json(), key=str(subject).encode())
        return event

    yield send
    await producer.stop()


@pytest.fixture
async def care_events(topic_reader):
    """care_events(*subjects, count=n) -> envelopes on crm.care.v1 about those customers."""
    reader = await topic_reader(topics.CARE)

    async def read(*subjects, count: int) -> list[Envelope]:
        return await reader.about(*subjects, count=count, timeout=40, settle=False)

    return read


@pytest.fixture
async def sinks():
    """A real SMTP server and a real HTTP receiver for SMS and WeChat, recording what arrives."""
    outbox: list[dict] = []
    smtp = Controller(MailSink(outbox), hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        async with serving(receiver(outbox), free_port()) as http:
            yield {"outbox": outbox, "smtp_url": f"smtp://127.0.0.1:{smtp.port}", "http": http}
    finally:
        smtp.stop()


async def without_quiet_hours(care, auth, dealer: str = "D1") -> None:
    """From 21:00 in Shanghai the default quiet hours hold every message till morning; a test that expects
    sending now must not depend on the hour it runs at."""
    answer = await edited(care, f"/api/v1/care/contact-policy/{dealer}", auth(dealers=[dealer]),
                          {"quiet_start": "00:00", "quiet_end": "00:00"})
    assert answer.status_code == 200, answer.text


async def edited(client, path: str, headers: dict, body: dict, params: dict | None = None):
    """As a client changes a dealer's settings: read them, then put the change with the ETag that showed."""
    read = await client.get(path, headers=headers, params=params)
    assert read.status_code == 200, read.text
    return await client.put(path, headers={**headers, "If-Match": read.headers["ETag"]}, json=body, params=params)


def now() -> datetime:
    return datetime.now(UTC)
