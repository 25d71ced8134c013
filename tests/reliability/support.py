"""A stack of the suite's own for fault tests, and the measurements they compare.

The stack owns its broker and PostgreSQL (killing the shared ones would disturb every other test). The
faults are played on the flow that exists end to end today (FLOW): customer -> crm.customer.registered.v1
-> segmentation, behind the gateway. It can start a second replica of a service in the same consumer group.
"""

import asyncio
import itertools
import random
import subprocess
import sys
import uuid

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer

from crm_contracts import topics
from crm_devstack.kafka import KafkaBroker, free_port
from crm_devstack.postgres import EmbeddedPostgres
from crm_devstack.stack import PROCESSES, Stack

FLOW = ("gateway", "customer", "segmentation")
REGISTERED = "crm.customer.registered.v1"


class FaultStack(Stack):
    def start(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (self.state_dir / "logs").mkdir(exist_ok=True)
        self._start_infrastructure()
        for process in PROCESSES:  # all five, so the gateway's merged OpenAPI covers every service
            self.start_process(process)
        self.wait_ready(PROCESSES)

    def _start_infrastructure(self) -> None:
        self._owns_infrastructure = True
        self.postgres = EmbeddedPostgres(self.state_dir / "postgres", fast=True)
        self.postgres.start()
        self.broker = KafkaBroker(self.state_dir / "kafka", heap="512m")
        self.broker.start()
        self.broker.create_topics([name for topic in topics.ALL for name in (topic, topics.dead_letter(topic))],
                                  partitions=self.partitions)

    def start_process(self, process: str) -> None:
        service, _, replica = process.partition("#")
        if not replica:
            super().start_process(process)
            return
        self.ports.setdefault(process, free_port())
        environment = self.environment(service)
        environment[service.upper() + "_PORT"] = str(self.ports[process])
        log = (self.state_dir / "logs" / f"{service}-{replica}.log").open("ab")
        self.processes[process] = subprocess.Popen(
            [sys.executable, "-m", f"crm_{service}"], env=environment, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def log_tail(self, process: str, lines: int = 30) -> str:
        return super().log_tail(process.replace("#", "-"), lines)

    def stop(self) -> None:
        for process in list(self.processes):
            self.stop_process(process)
        self.broker.stop()
        self.postgres.stop()

    async def database(self, service: str) -> asyncpg.Connection:
        return await asyncpg.connect(f"postgresql://postgres@/crm_{service}?host={self.postgres.socket_dir}")


def new_fault_stack(state_dir) -> FaultStack:
    return FaultStack(state_dir, ports={process: free_port() for process in PROCESSES}, partitions=4)


async def admin_token(stack: Stack) -> str:
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30) as client:
        response = await client.post("/auth/token", data={"grant_type": "password", "username": "admin",
                                                          "password": stack.admin_password})
    response.raise_for_status()
    return response.json()["access_token"]


_mobiles = itertools.count(random.randrange(10_000_000, 80_000_000, 1_000_000))


def new_customer(dealer: str) -> dict:
    return {"name": "测试客户", "mobile": f"139{next(_mobiles):08d}", "dealer_id": dealer}


class Writer:
    """Registers customers with a few concurrent clients; counts what clients saw."""

    def __init__(self, base_url: str, token: str, dealer: str, concurrency: int = 12):
        self.base_url, self.dealer, self.concurrency = base_url, dealer, concurrency
        self.headers = {"Authorization": f"Bearer {token}"}
        self.created: list[str] = []
        self.statuses: dict[int, int] = {}
        self.unavailable: list[httpx.Response] = []
        self.failure: Exception | None = None

    async def written_at_least(self, count: int) -> bool:
        """For eventually(): true once `count` customers are registered; a failed writer fails the wait."""
        if self.failure is not None:
            raise AssertionError(f"a write failed: {self.failure}")
        return len(self.created) >= count

    async def register(self, count: int, retry_unavailable: bool = False) -> None:
        queue = [new_customer(self.dealer) for _ in range(count)]
        limits = httpx.Limits(max_connections=self.concurrency)
        async with httpx.AsyncClient(base_url=self.base_url, headers=self.headers, timeout=60,
                                     limits=limits) as client:
            async def worker():
                while queue and self.failure is None:
                    try:
                        await self._one(client, queue.pop(), retry_unavailable)
                    except Exception as error:
                        self.failure = error
                        raise

            await asyncio.gather(*(worker() for _ in range(self.concurrency)))

    async def _one(self, client: httpx.AsyncClient, body: dict, retry_unavailable: bool) -> None:
        while True:
            response = await client.post("/api/v1/customers", json=body)
            self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
            if response.status_code == 201:
                self.created.append(response.json()["id"])
                return
            if response.status_code == 409:  # an earlier attempt did commit before its answer was lost
                self.created.append(response.json()["existing_id"])
                return
            if response.status_code == 503 and retry_unavailable:
                self.unavailable.append(response)
                await asyncio.sleep(float(response.headers.get("retry-after", "1")) / 4)
                continue
            raise AssertionError(f"{response.status_code}: {response.text}")


async def count_profiles(stack: FaultStack, dealer: str | None = None) -> int:
    connection = await stack.database("segmentation")
    try:
        if dealer is None:
            return await connection.fetchval("SELECT count(*) FROM profiles")
        return await connection.fetchval("SELECT count(*) FROM profiles WHERE dealer_id = $1", dealer)
    finally:
        await connection.close()


async def delivery_report(stack: FaultStack, dealer: str, created: list[str]) -> dict:
    """What each side holds about one dealer's customers: the customer rows and their outbox events, the
    profiles, and which of those events the segmentation inbox recorded."""
    customer_db, segmentation_db = await stack.database("customer"), await stack.database("segmentation")
    try:
        customers = {str(row[0]) for row in await customer_db.fetch(
            "SELECT id FROM customers WHERE dealer_id = $1", dealer)}
        events = await customer_db.fetch(
            "SELECT event_id, key, published_at FROM outbox WHERE type = $1 AND key = ANY($2::text[])",
            REGISTERED, list(customers))
        profiles = {str(row[0]) for row in await segmentation_db.fetch(
            "SELECT customer_id FROM profiles WHERE dealer_id = $1", dealer)}
        inboxed = await segmentation_db.fetchval(
            "SELECT count(*) FROM inbox WHERE event_id = ANY($1::uuid[])", [row["event_id"] for row in events])
    finally:
        await customer_db.close()
        await segmentation_db.close()
    return {"created": set(created), "customers": customers, "profiles": profiles,
            "events": len(events), "events_per_customer": len({row["key"] for row in events}),
            "unpublished": sum(1 for row in events if row["published_at"] is None), "inboxed": inboxed}


async def messages_on(stack: FaultStack, topic: str, keys: set[str]) -> list:
    """Every message on a topic whose key is one of ours, read from the start until the topic goes quiet."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=stack.broker.bootstrap_servers, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    found, quiet = [], 0
    try:
        while quiet < 6:
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            quiet = 0 if batches else quiet + 1
            for messages in batches.values():
                found += [m for m in messages if m.key and m.key.decode() in keys]
    finally:
        await consumer.stop()
    return found


def processed(metrics_text: str, event_type: str = REGISTERED) -> float:
    """crm_events_consumed_total for one event type with outcome "processed", from a /metrics page."""
    total = 0.0
    for line in metrics_text.splitlines():
        if (line.startswith("crm_events_consumed_total{") and f'type="{event_type}"' in line
                and 'outcome="processed"' in line):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def processed_by(stack: Stack, process: str) -> float:
    async with httpx.AsyncClient(timeout=10) as client:
        return processed((await client.get(stack.url(process) + "/metrics")).text)


def new_dealer(purpose: str) -> str:
    return f"D-{purpose}-{uuid.uuid4().hex[:6]}".upper()
