"""Two gateway replicas on one database hold one client to one limit, and say so in the RateLimit headers.

Both replicas run in this process on the same database, as two pods would; no service stands behind
them (the customer URL refuses connections), so every request the limit lets through is answered 503
and every one it stops 429.
"""

import asyncio
import contextlib

import pytest

from crm_devstack.kafka import free_port
from crm_devstack.pytest_plugin import running
from crm_gateway.main import create_app

pytestmark = pytest.mark.timeout(300)

BURST = 10
SYNC_SECONDS = 0.1
PACE_SECONDS = 0.05  # requests alternate replicas: each replica sees one per reconcile interval
# The slack: between two reconciles each replica admits without knowing the other's share, about
# one request per replica per interval at this pace (and scheduling jitter may add one more).
SLACK = 4


@contextlib.asynccontextmanager
async def two_replicas(gateway_settings):
    settings = gateway_settings(rate_limit_per_second=0.01, rate_limit_burst=BURST,
                                rate_limit_sync_seconds=SYNC_SECONDS, idempotent_retries=0, breaker_failures=1000,
                                customer_url=f"http://127.0.0.1:{free_port()}")
    async with running(create_app(settings)) as first, running(create_app(settings)) as second:
        yield first, second


async def test_two_replicas_admit_about_one_limit_not_twice_it(gateway_settings):
    async with two_replicas(gateway_settings) as (first, second):
        answers = []
        for turn in range(4 * BURST):
            replica = first if turn % 2 == 0 else second
            answers.append(await replica.get("/api/v1/customers"))
            await asyncio.sleep(PACE_SECONDS)
    admitted = [a for a in answers if a.status_code != 429]
    assert {a.status_code for a in admitted} == {503}  # through the limit, to the (absent) service
    assert BURST <= len(admitted) <= BURST + SLACK, len(admitted)  # one replica alone would admit 2 × BURST
    limited = next(a for a in answers if a.status_code == 429)
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["ratelimit-policy"] == f'"default";q={BURST};w={BURST * 100}'
    assert limited.headers["ratelimit"].startswith('"default";r=0;t=')


async def test_answers_say_how_much_of_the_limit_is_left(gateway_settings):
    async with two_replicas(gateway_settings) as (first, _):
        answers = [await first.get("/api/v1/customers") for _ in range(2)]
    assert [a.headers["ratelimit"].split(";t=")[0] for a in answers] == [
        f'"default";r={BURST - 1}', f'"default";r={BURST - 2}']
    assert answers[0].headers["ratelimit-policy"] == f'"default";q={BURST};w={BURST * 100}'
