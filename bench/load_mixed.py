"""A mixed read/write load through the gateway: 100 concurrent clients for 60 s.

Each client loops: one write in five registers a customer (POST /api/v1/customers); the reads fetch a
customer it registered, a profile, or a page of profiles. Printed: requests/s, p50/p99 per kind, errors by
status, and each process's resident memory before and after. The stack is the suite as `make run` starts
it, on free ports with its own broker and PostgreSQL. `python -m bench load_mixed` (CLIENTS, SECONDS env).
"""

import asyncio
import os
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import aiohttp

from crm_devstack.kafka import free_port
from crm_devstack.stack import PROCESSES, Stack

CLIENTS = int(os.environ.get("CLIENTS", "100"))
SECONDS = float(os.environ.get("SECONDS", "60"))
WRITE_SHARE = 0.2
DEALER = "D-LOAD-001"


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory(stack: Stack) -> dict[str, float]:
    return {name: resident_mb(process.pid) for name, process in stack.processes.items()}


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


class Load:
    def __init__(self, gateway: str, token: str):
        self.gateway, self.headers = gateway, {"Authorization": f"Bearer {token}"}
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.mobiles = iter(range(random.randrange(10**7), 10**8))

    async def client(self, session: aiohttp.ClientSession, until: float, seed: int) -> None:
        rng = random.Random(seed)
        mine: list[str] = []
        while time.monotonic() < until:
            if not mine or rng.random() < WRITE_SHARE:
                kind, method, path = "write customer", "POST", "/api/v1/customers"
                body = {"name": "压测客户", "mobile": f"135{next(self.mobiles):08d}", "dealer_id": DEALER}
            else:
                body = None
                kind, method, path = rng.choice([
                    ("read customer", "GET", f"/api/v1/customers/{rng.choice(mine)}"),
                    ("read profile", "GET", f"/api/v1/profiles/{rng.choice(mine)}"),
                    ("list profiles", "GET", "/api/v1/profiles?limit=20"),
                ])
            started = time.perf_counter()
            try:
                async with session.request(method, self.gateway + path, json=body, headers=self.headers) as answer:
                    payload = await answer.json(content_type=None) if answer.status == 201 else await answer.read()
                    status = answer.status
            except aiohttp.ClientError as error:
                self.errors[type(error).__name__] += 1
                continue
            self.latencies[kind].append(time.perf_counter() - started)
            if status == 201:
                mine.append(payload["id"])
            elif status >= 400 and not (kind == "read profile" and status == 404):  # profile not built yet
                self.errors[f"{kind} {status}"] += 1


async def run(stack: Stack) -> None:
    gateway = stack.url("gateway")
    connector = aiohttp.TCPConnector(limit=CLIENTS)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        async with session.post(gateway + "/auth/token", data={"grant_type": "password", "username": "admin",
                                                                "password": stack.admin_password}) as answer:
            token = (await answer.json())["access_token"]
        load = Load(gateway, token)
        await asyncio.gather(*(load.client(session, time.monotonic() + 5, seed) for seed in range(10)))  # warm-up
        load.latencies.clear()
        load.errors.clear()
        before = memory(stack)
        started = time.monotonic()
        await asyncio.gather(*(load.client(session, started + SECONDS, seed) for seed in range(CLIENTS)))
        elapsed = time.monotonic() - started
        after = memory(stack)
    total = sum(len(values) for values in load.latencies.values())
    print(f"{CLIENTS} clients, {elapsed:.0f} s through the gateway: {total / elapsed:,.0f} requests/s "
          f"({total:,} answered, {sum(load.errors.values()):,} errors)")
    everything = [value for values in load.latencies.values() for value in values]
    for kind, values in [("all", everything), *sorted(load.latencies.items())]:
        print(f"  {kind:<16} p50 {percentile(values, 50) * 1000:7.1f} ms   "
              f"p99 {percentile(values, 99) * 1000:7.1f} ms   {len(values) / elapsed:7.1f}/s")
    if load.errors:
        print("  errors: " + ", ".join(f"{name} ×{count}" for name, count in load.errors.most_common()))
    print("  resident memory (MB)   before    after")
    for name in PROCESSES:
        print(f"  {name:<20} {before[name]:8.1f} {after[name]:8.1f}")


def main() -> None:
    # The 100 clients share the admin's token, i.e. one rate-limit bucket (100/s by default): left on, the
    # limit is what this would measure. Real clients each have their own subject and bucket.
    os.environ.setdefault("GATEWAY_RATE_LIMIT_PER_SECOND", "1000000")
    os.environ.setdefault("GATEWAY_RATE_LIMIT_BURST", "1000000")
    print(f"gateway rate limit per client: {os.environ['GATEWAY_RATE_LIMIT_PER_SECOND']}/s "
          "(all clients share one token here)", flush=True)
    with tempfile.TemporaryDirectory(prefix="crm-load-") as state:
        stack = Stack(Path(state), ports={process: free_port() for process in PROCESSES}, kafka_port=None,
                      fast_database=True)
        print("starting the suite (broker, PostgreSQL, five processes) …", flush=True)
        stack.start()
        try:
            asyncio.run(run(stack))
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
