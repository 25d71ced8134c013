"""The hot paths of issue 13, side by side in one run: a masked GET of one customer, and commit -> effect.

Setup: the suite as `make run` starts it (broker, PostgreSQL, every process) on free ports, plus a bare
FastAPI app under the same uvicorn answering the same path with the very body the customer service
answered. The ratio to the bare app is what to compare across runs: this 2-core box is shared, so the
absolute numbers move with whatever else runs.

- masked GET, direct: a token with `customers:read` but not `pii:read`, straight to the customer service,
  at 32 and at 1 connection (the load generator is `bench.gateway_proxy`'s, in a process of its own);
- commit -> effect: a customer registered at the customer service (its answer means the commit is done),
  then its profile polled at the segmentation service until readable: the outbox relay, Kafka, the inbox
  consumer and its handler all lie on that path. One probe at a time, with other registrations flowing
  at EFFECT_RATE/s meanwhile.

Run: `python -m bench hot_paths` (BENCH_SECONDS per throughput measurement, EFFECTS probes).
BENCH_PYSPY=/path/to/py-spy also records the customer service under the 32-connection load (see profile()).
"""

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import httpx

from bench.events import percentile
from bench.gateway_proxy import SECONDS, WARMUP, measure, stopped, wait_for
from crm_contracts import permissions
from crm_devstack.kafka import free_port
from crm_devstack.stack import PROCESSES, Stack

DEALER = "D-HOT-001"
EFFECTS = int(os.environ.get("EFFECTS", "200"))
# Background registrations per second meanwhile: the issue's 200/s is beyond what this shared box registers.
RATE = float(os.environ.get("EFFECT_RATE", "10"))
IN_FLIGHT = 8
POLL_SECONDS = 0.002

BARE_APP = """
import json, os
from fastapi import FastAPI
app = FastAPI()
BODY = json.loads(os.environ["BENCH_BODY"])

@app.get("/api/v1/customers/{customer_id}")
async def customer(customer_id: str) -> dict:
    return BODY

@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}
"""


def token(stack: Stack, scope: list[str]) -> str:
    from crm_gateway.settings import GatewaySettings
    from crm_gateway.tokens import SigningKey, issue

    fields = GatewaySettings.model_fields
    return issue(SigningKey.from_pem(stack.signing_key()), subject="bench-hot", roles=["sales_advisor"],
                 scope=scope, dealers=[DEALER], issuer=fields["jwt_issuer"].default,
                 audience=fields["jwt_audience"].default, ttl_seconds=3600)


def profile(pid: int) -> subprocess.Popen | None:
    """With BENCH_PYSPY naming a py-spy binary: a flame graph of the customer service under the 32-connection
    load, in hot_paths-customer.svg (py-spy lives in a venv of its own: it is no dependency of the project)."""
    pyspy = os.environ.get("BENCH_PYSPY")
    if not pyspy:
        return None
    return subprocess.Popen([pyspy, "record", "-o", "hot_paths-customer.svg", "--pid", str(pid),
                             "-d", str(int(SECONDS + WARMUP + 3))],  # the load generator takes a moment to start
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_bare(scratch: Path, body: bytes) -> tuple[subprocess.Popen, str]:
    (scratch / "bench_bare.py").write_text(BARE_APP)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench_bare:app", "--port", str(port),
                                "--log-level", "warning", "--no-access-log"], cwd=scratch,
                               env={**os.environ, "BENCH_BODY": body.decode()})
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/healthz", process)
    return process, url


async def effect_latencies(customer: str, segmentation: str, writer: str, reader: str) -> list[float]:
    """Probes one at a time (a single poller, so polling does not load what it measures), while other
    registrations flow at RATE/s in the background, as a busy dealer network's would."""
    latencies: list[float] = []
    numbers = iter(range(int(time.time()) % 10**7 * 10, 10**8))

    async def register(session: aiohttp.ClientSession) -> str:
        body = {"name": "热路径客户", "mobile": f"136{next(numbers) % 10**8:08d}", "dealer_id": DEALER}
        async with session.post(customer + "/api/v1/customers", json=body,
                                headers={"Authorization": f"Bearer {writer}"}) as answer:
            assert answer.status == 201, (answer.status, await answer.text())
            return (await answer.json())["id"]

    pending: set[asyncio.Task] = set()

    async def background(session: aiohttp.ClientSession) -> None:
        started, index = time.perf_counter(), 0
        while True:
            index += 1
            await asyncio.sleep(max(0.0, started + index / RATE - time.perf_counter()))
            if len(pending) >= IN_FLIGHT:  # an overloaded box: skip rather than pile up requests
                continue
            pending.add(task := asyncio.create_task(register(session)))
            task.add_done_callback(pending.discard)

    async def probe(session: aiohttp.ClientSession) -> None:
        created = await register(session)
        committed = time.perf_counter()  # the answer came after the commit
        while time.perf_counter() < committed + 30:
            async with session.get(f"{segmentation}/api/v1/profiles/{created}",
                                   headers={"Authorization": f"Bearer {reader}"}) as answer:
                await answer.read()
                if answer.status == 200:
                    latencies.append(time.perf_counter() - committed)
                    return
            await asyncio.sleep(POLL_SECONDS)

    async with aiohttp.ClientSession() as session:
        load = asyncio.create_task(background(session))
        await asyncio.sleep(2)
        for _ in range(EFFECTS):
            await probe(session)
        load.cancel()
        await asyncio.gather(load, *pending, return_exceptions=True)
    return latencies


def main() -> None:
    os.environ.setdefault("GATEWAY_RATE_LIMIT_PER_SECOND", "1000000")
    os.environ.setdefault("GATEWAY_RATE_LIMIT_BURST", "1000000")
    with tempfile.TemporaryDirectory(prefix="crm-hot-") as state:
        stack = Stack(Path(state), ports={process: free_port() for process in PROCESSES}, kafka_port=None,
                      fast_database=True)
        print("starting the suite (broker, PostgreSQL, every process) …", flush=True)
        stack.start()
        try:
            run(stack, Path(state))
        finally:
            stack.stop()


def run(stack: Stack, scratch: Path) -> None:
    writer = token(stack, [permissions.CUSTOMERS_READ, permissions.CUSTOMERS_WRITE])
    masked = token(stack, [permissions.CUSTOMERS_READ])
    profiles = token(stack, [permissions.PROFILES_READ])
    customer = stack.url("customer")
    created = httpx.post(customer + "/api/v1/customers", headers={"Authorization": f"Bearer {writer}"},
                         json={"name": "王伟", "mobile": "13800138000", "dealer_id": DEALER}, timeout=30)
    assert created.status_code == 201, created.text
    path = f"/api/v1/customers/{created.json()['id']}"
    body = httpx.get(customer + path, headers={"Authorization": f"Bearer {masked}"}).content
    assert json.loads(body)["mobile"] != "13800138000", "the bench token must see the masked record"

    bare, bare_url = start_bare(scratch, body)
    try:
        rows = {}
        for connections in (32, 1):
            bare_figures = measure(bare_url + path, masked, connections)
            profiling = profile(stack.processes["customer"].pid) if connections == 32 else None
            rows[connections] = (bare_figures, measure(customer + path, masked, connections))
            if profiling:
                profiling.wait()
    finally:
        stopped(bare)
    effects = asyncio.run(effect_latencies(customer, stack.url("segmentation"), writer, profiles))

    print(f"\nmasked GET {path}, bare FastAPI app with the same body vs the customer service, same uvicorn")
    print(f"{'conns':>6}{'bare req/s':>12}{'p50 ms':>8}{'direct req/s':>14}{'p50 ms':>8}{'p99 ms':>8}{'x bare':>8}")
    for connections, ((bare_rate, bare_p50, _), (rate, p50, p99)) in rows.items():
        print(f"{connections:>6}{bare_rate:>12.0f}{bare_p50:>8.2f}{rate:>14.0f}{p50:>8.2f}{p99:>8.2f}"
              f"{rate / bare_rate:>8.2f}")
    print("  goals: >= 0.5x bare at 32 connections; one GET at 1 connection <= 1 ms")
    print(f"\ncommit -> effect (customer registered -> its profile readable), {len(effects)}/{EFFECTS} probes "
          f"one at a time, {RATE:.0f}/s other registrations meanwhile:")
    print(f"  p50 {percentile(effects, 50) * 1000:.1f} ms, p99 {percentile(effects, 99) * 1000:.1f} ms "
          "(goal p50 <= 15 ms, p99 <= 50 ms at 200 events/s)")


if __name__ == "__main__":
    main()
