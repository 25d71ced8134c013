"""Gateway-added latency and throughput, direct-to-service vs through the gateway, per proxy client.

Setup: one upstream (a minimal FastAPI app answering GET /api/v1/customers/{id} with a small JSON body,
under uvicorn as every service runs) and the real gateway (`python -m crm_gateway`, embedded PostgreSQL,
no Kafka needed for proxying) started once per proxy client (GATEWAY_PROXY_CLIENT=aiohttp | httpx).
The load generator is an aiohttp client in a process of its own (so it does not share the gateway's
event loop), keeping 1 or 32 connections busy for a fixed time; latency is per request, client-side.
Every figure comes from the same run on the same machine; on a shared 2-core box the load generator,
the gateway and the upstream compete for CPU, so absolute numbers are pessimistic and ratios are what
to compare. (Debian's `wrk` would be a lighter generator: `apt-get install wrk`; not needed here.)

Run: `python -m bench gateway_proxy` (or `make bench`).
"""

import asyncio
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from crm_devstack.kafka import free_port
from crm_devstack.postgres import EmbeddedPostgres

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
WARMUP = 1.5
CONNECTIONS = (1, 32)
CLIENTS = ("aiohttp", "httpx")
PATH = "/api/v1/customers/0b6e2f4c-1a2b-4c3d-8e9f-001122334455"

UPSTREAM_APP = """
from fastapi import FastAPI
app = FastAPI()
BODY = {"id": "0b6e2f4c-1a2b-4c3d-8e9f-001122334455", "dealer_id": "D-BENCH", "name": "王伟",
        "mobile": "138****8000", "kind": "person", "status": "customer", "tags": ["club"], "version": 3}

@app.get("/api/v1/customers/{customer_id}")
async def customer(customer_id: str) -> dict:
    return BODY

@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}
"""


def _load(url: str, connections: int, seconds: float, queue) -> None:
    import aiohttp

    async def run():
        latencies: list[float] = []
        connector = aiohttp.TCPConnector(limit=connections)
        async with aiohttp.ClientSession(connector=connector) as session:
            stop_warmup = time.perf_counter() + WARMUP
            deadline = stop_warmup + seconds

            async def worker():
                while (now := time.perf_counter()) < deadline:
                    async with session.get(url) as response:
                        await response.read()
                        assert response.status == 200, response.status
                    if now >= stop_warmup:
                        latencies.append(time.perf_counter() - now)

            await asyncio.gather(*(worker() for _ in range(connections)))
        return latencies

    queue.put(asyncio.run(run()))


def measure(url: str, connections: int) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 in milliseconds."""
    queue = multiprocessing.get_context("spawn").Queue()
    process = multiprocessing.get_context("spawn").Process(target=_load, args=(url, connections, SECONDS, queue))
    process.start()
    latencies = queue.get()
    process.join()
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return len(latencies) / SECONDS, quantiles[49] * 1000, quantiles[98] * 1000


def wait_for(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(url)


def start_upstream(scratch: Path) -> tuple[subprocess.Popen, str]:
    (scratch / "bench_upstream.py").write_text(UPSTREAM_APP)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench_upstream:app", "--port", str(port),
                                "--log-level", "warning", "--no-access-log"], cwd=scratch)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/healthz", process)
    return process, url


def start_gateway(postgres: EmbeddedPostgres, upstream: str, client: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "GATEWAY_PORT": str(port), "GATEWAY_DATABASE_URL": postgres.url(f"bench_gw_{client}"),
           "GATEWAY_CUSTOMER_URL": upstream, "GATEWAY_PROXY_CLIENT": client,
           "GATEWAY_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "GATEWAY_LOG_LEVEL": "ERROR",
           "GATEWAY_RATE_LIMIT_PER_SECOND": "1000000", "GATEWAY_RATE_LIMIT_BURST": "1000000"}
    process = subprocess.Popen([sys.executable, "-m", "crm_gateway"], env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/healthz", process)
    return process, url


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        postgres = EmbeddedPostgres(Path(scratch) / "pg", fast=True)
        postgres.start()
        upstream, upstream_url = start_upstream(Path(scratch))
        try:
            results = {("direct", c): measure(upstream_url + PATH, c) for c in CONNECTIONS}
            for client in CLIENTS:
                gateway, gateway_url = start_gateway(postgres, upstream_url, client)
                try:
                    for connections in CONNECTIONS:
                        results[client, connections] = measure(gateway_url + PATH, connections)
                finally:
                    gateway.terminate()
                    gateway.wait(20)
        finally:
            upstream.terminate()
            upstream.wait(20)
            postgres.stop()
    report(results)


def report(results: dict) -> None:
    print(f"GET {PATH} for {SECONDS:.0f} s per row (after {WARMUP} s warm-up); one upstream, one gateway process")
    print(f"{'path':<22}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'% direct':>10}{'+p50 ms':>9}")
    for (name, connections), (rate, p50, p99) in results.items():
        direct_rate, direct_p50, _ = results["direct", connections]
        label = "direct" if name == "direct" else f"gateway ({name})"
        print(f"{label:<22}{connections:>6}{rate:>10.0f}{p50:>9.2f}{p99:>9.2f}"
              f"{100 * rate / direct_rate:>9.0f}%{p50 - direct_p50:>9.2f}")
    best = max(CLIENTS, key=lambda c: results[c, 32][0])
    print(f"faster proxy client at 32 connections: {best} "
          f"({results[best, 32][0] / results['direct', 32][0]:.0%} of direct; goal >= 60%)")


if __name__ == "__main__":
    main()
