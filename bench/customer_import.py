"""Bulk import throughput against a raw PostgreSQL COPY of the same rows, and single-customer GET rates.

Runs the real customer service and gateway as processes (as `make run` does) on a throwaway broker and
database. Import: NDJSON streamed to POST /api/v1/imports, timed until the job reports done (rows validated,
upserted on their natural keys, per-row report written) AND every event it staged is published: the relay
marked its outbox row sent after the broker acknowledged it (acks=all). Then the same file again, as a dealer's
nightly file that changed nothing: every row unchanged, nothing published but the job's ImportCompleted.
Baseline: asyncpg COPY of the same rows into bare tables, in the same run — the fastest PostgreSQL takes them in,
with no validation, keys or events. GET: one customer fetched by id with N concurrent aiohttp clients, straight
at the service and through the gateway.

Scale: `CUSTOMER_BENCH_SCALE=0.1` or `python -m bench.customer_import --scale 0.1` runs a tenth of the
100k + 100k + 300k rows.
"""

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import aiohttp
import asyncpg
import httpx

from crm_devstack.kafka import KafkaBroker, free_port
from crm_devstack.postgres import EmbeddedPostgres
from crm_devstack.stack import Stack, all_topics

SCALE = float(os.environ.get("CUSTOMER_BENCH_SCALE", "1"))
FULL = {"customers": 100_000, "vehicles": 100_000, "visits": 300_000}
COUNTS = {kind: int(n * SCALE) for kind, n in FULL.items()}
DEALER = "D-BENCH"
GET_SECONDS, CONCURRENCY = 10, 32
VIN_VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
              **dict(zip("JKLMN", range(1, 6), strict=True)), "P": 7, "R": 9,
              **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin(serial: int) -> str:
    body = f"LFMA1{serial % 1000:03d}0RF{serial:06d}"
    check = sum(VIN_VALUES[c] * w for c, w in zip(body, VIN_WEIGHTS, strict=True)) % 11
    return body[:8] + ("X" if check == 10 else str(check)) + body[9:]


def rows() -> dict[str, list[dict]]:
    rng = random.Random(1)
    mobile = [f"13{8 + i % 2}{i:08d}" for i in range(COUNTS["customers"])]
    customers = [{"name": f"王{i}", "mobile": mobile[i], "city": "长春", "gender": rng.choice(("male", "female"))}
                 for i in range(COUNTS["customers"])]
    vehicles = [{"vin": vin(i), "customer_mobile": mobile[i % len(mobile)], "brand": "Toyota", "model": "Corolla",
                 "delivery_date": (date(2016, 1, 1) + timedelta(days=i % 3000)).isoformat()}
                for i in range(COUNTS["vehicles"])]
    visits = [{"order_number": f"RO-{i:08d}", "customer_mobile": mobile[i % len(mobile)],
               "vin": vin(i % len(vehicles)), "kind": "service", "subkind": "maintenance",
               "visited_on": (date(2016, 6, 1) + timedelta(days=i % 3500)).isoformat(), "amount": "680.00"}
              for i in range(COUNTS["visits"])]
    return {"customers": customers, "vehicles": vehicles, "visits": visits}


async def raw_copy(url: str, data: dict[str, list[dict]]) -> dict[str, float]:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    rates = {}
    try:
        for kind, items in data.items():
            columns = list(items[0])
            await connection.execute(f"CREATE TABLE raw_{kind} ({', '.join(f'{c} text' for c in columns)})")
            records = [tuple(str(row.get(c)) for c in columns) for row in items]
            started = time.perf_counter()
            await connection.copy_records_to_table(f"raw_{kind}", records=records, columns=columns)
            rates[kind] = len(items) / (time.perf_counter() - started)
    finally:
        await connection.close()
    return rates


async def outbox_figures(url: str, job_id: str | None = None) -> int:
    """Outbox rows not yet published; with a job id, that job's events marked published instead."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        if job_id is None:
            return await connection.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        return await connection.fetchval("SELECT count(*) FROM outbox WHERE envelope->>'importjob' = $1 "
                                         "AND published_at IS NOT NULL", job_id)
    finally:
        await connection.close()


def import_rate(base: str, database: str, sign_in, kind: str, items: list[dict]) -> tuple[float, dict, int]:
    """(rows per second until the job is done and every event is published, the job, its events published)."""
    lines = [json.dumps(row, ensure_ascii=False) + "\n" for row in items]

    def body():
        for start in range(0, len(lines), 1000):
            yield "".join(lines[start:start + 1000]).encode()

    headers = sign_in()
    started = time.perf_counter()
    with httpx.Client(base_url=base, timeout=600) as client:
        job = client.post("/api/v1/imports", params={"kind": kind, "dealer_id": DEALER}, content=body(),
                          headers={**headers, "Content-Type": "application/x-ndjson"}).raise_for_status().json()
        while job["status"] != "done":
            time.sleep(0.1)
            polled = client.get(f"/api/v1/imports/{job['id']}", headers=headers)
            if polled.status_code == 401:  # the token expired during a long import
                headers = sign_in()
                continue
            job = polled.raise_for_status().json()
    while asyncio.run(outbox_figures(database)):
        time.sleep(0.05)
    rate = len(items) / (time.perf_counter() - started)
    return rate, job, asyncio.run(outbox_figures(database, job["id"]))


async def get_rate(url: str, headers: dict) -> tuple[float, int]:
    """(successful requests per second, how many answered something other than 200)."""
    done = failed = 0
    deadline = time.perf_counter() + GET_SECONDS
    async with aiohttp.ClientSession(headers=headers,
                                     connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as session:
        async def worker():
            nonlocal done, failed
            while time.perf_counter() < deadline:
                async with session.get(url) as response:
                    await response.read()
                if response.status == 200:
                    done += 1
                else:
                    failed += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return done / (time.perf_counter() - started), failed


def run(scratch: Path) -> None:
    # The GET load uses one token, i.e. one rate-limit bucket (100/s by default): lifted so the gateway's
    # cost is measured, not the limiter.
    os.environ.setdefault("GATEWAY_RATE_LIMIT_PER_SECOND", "1000000")
    os.environ.setdefault("GATEWAY_RATE_LIMIT_BURST", "1000000")
    broker = KafkaBroker(scratch / "kafka")
    postgres = EmbeddedPostgres(scratch / "pg", fast=False)
    broker.start(timeout=600)  # a busy 2-core box can take minutes to start a broker
    postgres.start()
    stack = Stack(scratch / "stack", ports={p: free_port() for p in ("gateway", "customer", "segmentation",
                                                                      "survey", "care")},
                  broker=broker, postgres=postgres)
    try:
        broker.create_topics(all_topics())
        stack.state_dir.mkdir(parents=True, exist_ok=True)
        (stack.state_dir / "logs").mkdir(exist_ok=True)
        for process in ("gateway", "customer"):
            stack.start_process(process)
        stack.wait_ready(("gateway", "customer"), timeout=600)
        def signed_in() -> dict:
            """A fresh token: on a busy box the whole run outlasts one token's lifetime."""
            token = httpx.post(stack.url("gateway") + "/auth/token", data={
                "grant_type": "password", "username": "admin", "password": stack.admin_password}).json()["access_token"]
            return {"Authorization": f"Bearer {token}"}

        data = rows()
        baseline = asyncio.run(raw_copy(postgres.url("crm_customer"), data))
        print(f"bulk import, {' + '.join(f'{n:,} {k}' for k, n in COUNTS.items())} (2 cores, one service; "
              "timed until every event is published)")
        database = postgres.url("crm_customer")
        for kind, items in data.items():
            rate, job, sent = import_rate(stack.url("customer"), database, signed_in, kind, items)
            print(f"  {kind:<10} import job {rate:9,.0f} rows/s   raw COPY {baseline[kind]:11,.0f} rows/s   "
                  f"({rate / baseline[kind]:.3f}x; created {job['created']:,}, failed {job['failed']:,}, "
                  f"events staged {job['events']:,}, published {sent:,})", flush=True)
        print("the same files again (a nightly file that changed nothing)")
        for kind, items in data.items():
            rate, job, sent = import_rate(stack.url("customer"), database, signed_in, kind, items)
            print(f"  {kind:<10} import job {rate:9,.0f} rows/s   (unchanged {job['unchanged']:,}, "
                  f"events staged {job['events']:,}, published {sent:,})", flush=True)
        headers = signed_in()
        some = httpx.get(stack.url("customer") + "/api/v1/customers", params={"limit": 1}, headers=headers,
                         timeout=30).json()["items"][0]["id"]
        path = f"/api/v1/customers/{some}"
        print(f"single-customer GET, {CONCURRENCY} connections, {GET_SECONDS}s each (unmasked: each read is logged)")
        for name, base in (("direct to the service", stack.url("customer")), ("through the gateway",
                                                                               stack.url("gateway"))):
            rate, failed = asyncio.run(get_rate(base + path, headers))
            print(f"  {name:<23} {rate:8,.0f} requests/s" + (f"   ({failed:,} not 200)" if failed else ""),
                  flush=True)
    finally:
        stack.stop_process("customer")
        stack.stop_process("gateway")
        broker.stop()
        postgres.stop()


def main() -> None:
    global SCALE, COUNTS
    if __name__ == "__main__":
        parser = argparse.ArgumentParser(description="bulk import throughput vs COPY")
        parser.add_argument("--scale", type=float, default=SCALE, help="fraction of 100k + 100k + 300k rows")
        SCALE = parser.parse_args(sys.argv[1:]).scale
        COUNTS = {kind: int(n * SCALE) for kind, n in FULL.items()}
    with tempfile.TemporaryDirectory() as scratch:
        run(Path(scratch))


if __name__ == "__main__":
    main()
