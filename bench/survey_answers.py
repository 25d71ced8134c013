"""Survey answers per second through the gateway, and analytics query time over 1,000,000 responses.

1. The whole suite runs as `make run` starts it (own broker and PostgreSQL, free ports). A producer
   publishes what the customer service would (registered, survey consent, a closed service visit) for
   BENCH_SURVEY_CUSTOMERS customers; once their CSI invitations are sent, that many answers are posted
   to /s/{token} on the gateway at BENCH_SURVEY_CONCURRENCY at a time (aiohttp client).
2. BENCH_SURVEY_RESPONSES scored CSI responses (and 1.25× as many invitations) are generated in SQL
   over 200 dealers × 7 advisors × 12 months; the monthly sums are rebuilt; then the dealer overview,
   the weakness finding and the network ranking are timed, next to the same figures computed straight
   from the responses table for comparison.
"""

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import aiohttp
import httpx
from aiokafka import AIOKafkaProducer

from crm_contracts import new_event, topics
from crm_contracts.events.customer import ConsentChanged, CustomerRegistered, VisitRecorded
from crm_devstack.kafka import KafkaBroker, free_port
from crm_devstack.postgres import EmbeddedPostgres
from crm_devstack.stack import PROCESSES, Stack
from crm_kit.db import create_engine, ensure_database, session_factory
from crm_kit.migrations import upgrade
from crm_survey.domain.defaults import shipped_template_id
from crm_survey.handlers import analytics
from crm_survey.handlers.common import ship_defaults
from crm_survey.main import MIGRATIONS
from crm_survey.repository import rollups

CUSTOMERS = int(os.environ.get("BENCH_SURVEY_CUSTOMERS", "2000"))
CONCURRENCY = int(os.environ.get("BENCH_SURVEY_CONCURRENCY", "32"))
RESPONSES = int(os.environ.get("BENCH_SURVEY_RESPONSES", "1000000"))
DEALER = "D-BENCH"
ANSWERS = {"fixed_first_time": 9, "work_thoroughness": 8, "ready_on_time": 7, "charges_explained": 8,
           "lounge_comfort": 9, "facility_clean": 9, "advisor_courtesy": 8, "advisor_explained": 9,
           "appointment_ease": 9, "reception_speed": 8, "recommend": 9}


async def publish_visits(bootstrap: str, count: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5)
    await producer.start()
    now = datetime.now(UTC)
    try:
        sends = []
        for n in range(count):
            customer = uuid.uuid4()
            for payload in (
                CustomerRegistered(customer_id=customer, dealer_id=DEALER, kind="person", status="customer",
                                   registered_at=now),
                ConsentChanged(customer_id=customer, dealer_id=DEALER, purpose="survey", channel="sms", granted=True,
                               changed_at=now, source="bench"),
                VisitRecorded(visit_id=uuid.uuid4(), customer_id=customer, dealer_id=DEALER, kind="service",
                              subkind="maintenance", visited_on=date.today(), amount=Decimal("680"),
                              advisor_id=f"SA-{n % 7}", order_number=f"RO-{n}", recorded_at=now)):
                event = new_event(payload, service="customer", subject=str(customer), dealer_id=DEALER)
                sends.append(await producer.send(topics.CUSTOMER, event.to_json(), key=str(customer).encode()))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def sent_links(gateway: str, headers: dict, count: int) -> list[str]:
    async with httpx.AsyncClient(base_url=gateway, headers=headers, timeout=30) as client:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            links, cursor = [], None
            while True:
                params = {"status": "sent", "limit": 500, **({"cursor": cursor} if cursor else {})}
                page = (await client.get("/api/v1/surveys/invitations", params=params)).json()
                links += [item["link_path"] for item in page["items"]]
                cursor = page["next_cursor"]
                if not cursor:
                    break
            if len(links) >= count:
                return links
            await asyncio.sleep(1)
    raise TimeoutError(f"only {len(links)} of {count} invitations were sent")


async def submit_all(gateway: str, links: list[str]) -> tuple[float, list[float], dict[int, int]]:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for link in links:
        queue.put_nowait(link)
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def worker(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            link = queue.get_nowait()
            started = time.perf_counter()
            async with session.post(gateway + link, json={"answers": ANSWERS}) as response:
                await response.read()
                statuses[response.status] = statuses.get(response.status, 0) + 1
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    return len(links) / elapsed, latencies, statuses


async def answers_through_gateway(stack: Stack) -> None:
    gateway = stack.url("gateway")
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        token = (await client.post("/auth/token", data={"grant_type": "password", "username": "admin",
                                                        "password": stack.admin_password})).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        current = await client.get(f"/api/v1/surveys/settings/{DEALER}", headers=headers)
        settings = await client.put(f"/api/v1/surveys/settings/{DEALER}", json={"csi_delay_hours": 0},
                                    headers={**headers, "If-Match": current.headers.get("ETag", "*")})
        if settings.status_code != 200:
            raise RuntimeError(f"the gateway refused the dealer settings: {settings.status_code} {settings.text}")
    started = time.perf_counter()
    await publish_visits(stack.broker.bootstrap_servers, CUSTOMERS)
    links = await sent_links(gateway, headers, CUSTOMERS)
    print(f"  {CUSTOMERS} visits -> sent invitations in {time.perf_counter() - started:6.1f} s "
          "(events consumed, invitations scheduled and sent)")
    rate, latencies, statuses = await submit_all(gateway, links)
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"  answers through the gateway: {rate:7.1f} /s at {CONCURRENCY} concurrent  "
          f"p50 {quantiles[49] * 1000:6.1f} ms  p99 {quantiles[98] * 1000:6.1f} ms  statuses {statuses}")


GENERATE = """
INSERT INTO responses (id, invitation_id, customer_id, dealer_id, kind, template_id, template_version, advisor_id,
                       channel, answers, index, nps, nps_category, metrics, recorded_at)
SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), dealer, 'csi', CAST(:template AS uuid), 1, advisor,
       'web', '{}',
       idx, rec, CASE WHEN rec >= 9 THEN 'promoter' WHEN rec >= 7 THEN 'passive' ELSE 'detractor' END,
       jsonb_build_object('answered', 1, 'index', idx,
         'factor:service_quality', (q1 + q2) / 2.0, 'factor:vehicle_pickup', (q3 + q4) / 2.0,
         'factor:service_facility', (q5 + q6) / 2.0, 'factor:service_advisor', (q7 + q8) / 2.0,
         'factor:service_initiation', (q9 + q10) / 2.0,
         'question:fixed_first_time', q1, 'question:work_thoroughness', q2, 'question:ready_on_time', q3,
         'question:charges_explained', q4, 'question:lounge_comfort', q5, 'question:facility_clean', q6,
         'question:advisor_courtesy', q7, 'question:advisor_explained', q8, 'question:appointment_ease', q9,
         'question:reception_speed', q10,
         'nps', CASE WHEN rec >= 9 THEN 100 WHEN rec >= 7 THEN 0 ELSE -100 END),
       at
FROM (SELECT *, (0.22 * (q1 + q2) / 2 + 0.20 * (q3 + q4) / 2 + 0.20 * (q5 + q6) / 2 + 0.19 * (q7 + q8) / 2
                 + 0.19 * (q9 + q10) / 2) * 100 AS idx
      FROM (SELECT 'D' || lpad((g % 200)::text, 3, '0') AS dealer, 'SA-' || (g % 7) AS advisor,
                   4 + (random() * 6)::int AS q1, 4 + (random() * 6)::int AS q2, 3 + (random() * 7)::int AS q3,
                   4 + (random() * 6)::int AS q4, 5 + (random() * 5)::int AS q5, 5 + (random() * 5)::int AS q6,
                   4 + (random() * 6)::int AS q7, 4 + (random() * 6)::int AS q8, 4 + (random() * 6)::int AS q9,
                   4 + (random() * 6)::int AS q10, (random() * 10)::int AS rec,
                   timestamptz '2025-12-01 00:00+08' + random() * interval '364 days' AS at
            FROM generate_series(CAST(:first AS int), CAST(:last AS int)) g) answers) scored
"""

INVITE = """
INSERT INTO invitations (id, token, customer_id, dealer_id, kind, template_id, template_version, advisor_id, language,
                         status, send_at, expires_at, sent_at, created_at)
SELECT gen_random_uuid(), md5(g::text || random()::text), gen_random_uuid(), 'D' || lpad((g % 200)::text, 3, '0'),
       'csi', CAST(:template AS uuid), 1, 'SA-' || (g % 7), 'zh-CN',
       CASE WHEN g % 5 = 0 THEN 'expired' ELSE 'answered' END,
       at, at + interval '15 days', at, at
FROM (SELECT g, timestamptz '2025-12-01 00:00+08' + random() * interval '364 days' AS at
      FROM generate_series(CAST(:first AS int), CAST(:last AS int)) g) invited
"""


async def timed(what: str, call, runs: int = 5) -> None:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    print(f"  {what:<58} median {statistics.median(times) * 1000:8.1f} ms  (of {runs})")


async def analytics_over_a_million(postgres: EmbeddedPostgres) -> None:
    import sqlalchemy as sa

    url = postgres.url("bench_survey_analytics")
    await ensure_database(url)
    await asyncio.to_thread(upgrade, MIGRATIONS, url)
    engine = create_engine(url, pool_size=2)
    sessions = session_factory(engine)
    template = shipped_template_id("csi")
    started = time.perf_counter()
    async with sessions() as session, session.begin():
        await ship_defaults(session)
    chunk = 100_000
    for first in range(0, RESPONSES, chunk):
        last = min(first + chunk, RESPONSES) - 1
        async with sessions() as session, session.begin():
            await session.exec(sa.text(GENERATE), params={"template": template, "first": first, "last": last})
    invitations = RESPONSES * 5 // 4
    for first in range(0, invitations, chunk):
        last = min(first + chunk, invitations) - 1
        async with sessions() as session, session.begin():
            await session.exec(sa.text(INVITE), params={"template": template, "first": first, "last": last})
    async with sessions() as session, session.begin():
        await session.exec(sa.text("ANALYZE"))
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    async with sessions() as session, session.begin():
        await rollups.rebuild(session)
        rows = (await session.exec(sa.text("SELECT count(*) FROM score_rollups"))).scalar_one()
    print(f"  generated {RESPONSES:,} responses + {invitations:,} invitations in {loaded:6.1f} s; "
          f"rollups rebuilt in {time.perf_counter() - started:6.1f} s ({rows:,} rows)")
    first, last = date(2025, 12, 1), date(2026, 11, 1)

    async def run(handler, *args):
        async with sessions() as session:
            return await handler(session, *args)

    await timed("dealer overview (index, factors, NPS, trend, advisors)",
                lambda: run(analytics.dealer_overview, "D042", "csi", first, last, None))
    await timed("weakness finding against the network",
                lambda: run(analytics.weaknesses, "D042", "csi", first, last, None))
    await timed("network ranking of 200 dealers", lambda: run(analytics.network_ranking, "csi", first, last, None))

    async def raw(statement: str):
        async with sessions() as session:
            return (await session.exec(sa.text(statement))).all()

    await timed("for comparison, straight from responses: one dealer's index",
                lambda: raw("SELECT avg(index), count(*) FROM responses WHERE dealer_id = 'D042'"), runs=3)
    await timed("for comparison, straight from responses: network factor means",
                lambda: raw("SELECT m.key, avg(m.value::float8) FROM responses, jsonb_each_text(metrics) m "
                            "GROUP BY m.key"), runs=1)
    await engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        broker = KafkaBroker(Path(scratch) / "kafka")
        postgres = EmbeddedPostgres(Path(scratch) / "pg", fast=False)
        broker.start()
        postgres.start()
        os.environ.setdefault("SURVEY_PUBLIC_RATE_PER_ADDRESS", "1000000")
        os.environ.setdefault("SURVEY_SCHEDULER_POLL_SECONDS", "0.2")
        stack = Stack(Path(scratch) / "stack", ports={p: free_port() for p in PROCESSES}, broker=broker,
                      postgres=postgres)
        try:
            print("analytics")
            asyncio.run(analytics_over_a_million(postgres))
            print("answer submissions")
            stack.start()
            asyncio.run(answers_through_gateway(stack))
        finally:
            stack.stop()
            broker.stop()
            postgres.stop()


if __name__ == "__main__":
    main()
