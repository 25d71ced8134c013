"""The read path's shortcuts keep their promises: a cached token still expires, a read outlives a dropped
connection, and a commit wakes the relay without waiting for its poll."""

import asyncio

import pytest
import sqlalchemy as sa

from crm_contracts.permissions import CUSTOMERS_READ
from crm_devstack.pytest_plugin import AUDIENCE, ISSUER, eventually
from crm_kit.auth import TokenVerifier
from crm_kit.db import connect, reading
from crm_kit.outbox import OutboxRelay, stage
from crm_kit.problems import Problem

from .support import registered
from .test_events_flow import read_topic

pytestmark = pytest.mark.timeout(120)


async def test_a_cached_token_is_refused_once_it_expires(mint, public_key_pem):
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, public_key=public_key_pem, leeway=0)
    token = mint(scope=[CUSTOMERS_READ], dealers=["D1"], ttl=2)
    first = await verifier.verify(token)
    assert await verifier.verify(token) is first  # the second request reused the verification
    await asyncio.sleep(3.2)
    with pytest.raises(Problem) as refused:
        await verifier.verify(token)
    assert refused.value.status == 401
    assert refused.value.detail == "The token has expired."


async def test_a_token_changed_in_any_way_is_verified_afresh(mint, public_key_pem):
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, public_key=public_key_pem)
    token = mint(scope=[CUSTOMERS_READ], dealers=["D1"])
    await verifier.verify(token)
    with pytest.raises(Problem) as refused:
        await verifier.verify(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert refused.value.status == 401


async def test_a_read_after_the_server_dropped_every_connection_still_answers(sessions, database_url):
    async with sessions() as session:
        assert await reading(session, lambda: _answer(session)) == 42  # the pool now holds a connection
    killer = await connect(database_url)
    try:
        await killer.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    finally:
        await killer.close()
    async with sessions() as session:
        assert await reading(session, lambda: _answer(session)) == 42
        async with session.begin():  # and the session takes a write transaction after the read
            assert (await session.exec(sa.text("SELECT 1"))).scalar_one() == 1


async def _answer(session) -> int:
    return (await session.exec(sa.text("SELECT 42"))).scalar_one()


async def test_a_commit_wakes_the_relay_long_before_its_poll(sessions, producer, kafka, topic):
    relay = OutboxRelay(sessions, producer, "test", poll_seconds=30)
    running = asyncio.create_task(relay.run())
    try:

        async def idle_and_listening() -> bool:
            return relay.listening and relay.last_success is not None

        await eventually(idle_and_listening, timeout=30)
        await asyncio.sleep(0.5)  # the start-up rounds are over: the relay now sleeps on its 30 s poll
        event = registered()
        async with sessions() as session, session.begin():
            await stage(session, event, topic)
        published = await read_topic(kafka.bootstrap_servers, topic, expect=1, wait=5)
        assert [m.key.decode() for m in published] == [event.subject]
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
