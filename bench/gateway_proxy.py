"""Gateway-added latency and throughput, direct-to-service vs through the gateway, per proxy client.

Setup: one upstream (a minimal FastAPI app answering GET /api/v1/customers/{id} with a small JSON body,
under uvicorn as every service runs) and the real gateway (`python -m crm_gateway`, embedded PostgreSQL,
no Kafka needed for proxying) started once per proxy client (GATEWAY_PROXY_CLIENT=aiohttp | httpx).
Every request carries a bearer token signed with the gateway's key, as a front end's would.
The load generator is an aiohttp client in a process of its own (so it does not share the gateway's
event loop), keeping 1 or 32 connections busy for a fixed time; latency is per request, client-side.

The "floor" row is the least any Python proxy of this shape can cost: a bare ASGI app under the same
uvicorn that forwards the GET with one aiohttp session and returns the body, with no routing, checks,
headers or metrics. The gateway cannot do better than the floor's share of direct on the same machine.

On a shared 2-core box the load generator, the proxy and the upstream compete for CPU and other work on
the machine comes and goes, so each row is measured right after a direct row of its own, and the ratio
and added p50 are taken from that pair. Absolute numbers are pessimistic; ratios are what to compare.
(Debian's `wrk` would be a lighter generator: `apt-get install wrk`; not needed here.)

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
from cryptography.hazmat.primitives import serialization

from crm_devstack.kafka import free_port
from crm_devstack.postgres import EmbeddedPostgres

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
WARMUP = 1.5
CONNECTIONS = (1, 32)
CLIENTS = ("aiohttp", "httpx")
GOAL = 0.60  # of direct throughput at 32 connections (issue 7)
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

FLOOR_APP = """
import os
import aiohttp

UPSTREAM = os.environ["BENCH_UPSTREAM"]
session = None

async def app(scope, receive, send):
    global session
    if scope["type"] != "http":
        return
    if session is None:
        session = aiohttp.ClientSession()
    async with session.get(UPSTREAM + scope["path"]) as response:
        body = await response.read()
    await send({"type": "http.response.start", "status": response.status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
"""


def _load(url: str, token: str, connections: int, seconds: float, queue) -> None:
    import aiohttp

    async def run():
        latencies: list[float] = []
        connector = aiohttp.TCPConnector(limit=connections)
        headers = {"Authorization": f"Bearer {token}"}
        async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
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


def measure(url: str, token: str, connections: int) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 in milliseconds."""
    queue = multiprocessing.get_context("spawn").Queue()
    process = multiprocessing.get_context("spawn").Process(target=_load,
                                                           args=(url, token, connections, SECONDS, queue))
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


def start_floor(scratch: Path, upstream: str) -> tuple[subprocess.Popen, str]:
    (scratch / "bench_floor.py").write_text(FLOOR_APP)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench_floor:app", "--port", str(port),
                                "--log-level", "warning", "--no-access-log"], cwd=scratch,
                               env={**os.environ, "BENCH_UPSTREAM": upstream})
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/healthz", process)
    return process, url


def start_gateway(postgres: EmbeddedPostgres, upstream: str, client: str,
                  signing_key: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "GATEWAY_PORT": str(port), "GATEWAY_DATABASE_URL": postgres.url(f"bench_gw_{client}"),
           "GATEWAY_SIGNING_KEY": signing_key,
           "GATEWAY_CUSTOMER_URL": upstream, "GATEWAY_PROXY_CLIENT": client,
           "GATEWAY_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "GATEWAY_LOG_LEVEL": "ERROR",
           "GATEWAY_RATE_LIMIT_PER_SECOND": "1000000", "GATEWAY_RATE_LIMIT_BURST": "1000000"}
    process = subprocess.Popen([sys.executable, "-m", "crm_gateway"], env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/healthz", process)
    return process, url


def bench_token() -> tuple[str, str]:
    """A signing key for the gateway and an hour's token it signed, as a logged-in front end holds."""
    from crm_gateway.settings import GatewaySettings
    from crm_gateway.tokens import SigningKey, issue

    key = SigningKey.from_pem(None)
    pem = key.private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
    fields = GatewaySettings.model_fields
    token = issue(key, subject="bench", roles=["sales_advisor"], scope=["customers:read"], dealers=["D-BENCH"],
                  issuer=fields["jwt_issuer"].default, audience=fields["jwt_audience"].default, ttl_seconds=3600)
    return pem, token


def paired(direct_url: str, url: str, token: str) -> dict[int, tuple]:
    """Per connection count: (direct figures, proxied figures), measured back to back."""
    return {c: (measure(direct_url + PATH, token, c), measure(url + PATH, token, c)) for c in CONNECTIONS}


def stopped(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(20)


def main() -> None:
    signing_key, token = bench_token()
    results: dict[str, dict[int, tuple]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        postgres = EmbeddedPostgres(Path(scratch) / "pg", fast=True)
        postgres.start()
        upstream, upstream_url = start_upstream(Path(scratch))
        try:
            floor, floor_url = start_floor(Path(scratch), upstream_url)
            try:
                results["floor (bare aiohttp)"] = paired(upstream_url, floor_url, token)
            finally:
                stopped(floor)
            for client in CLIENTS:
                gateway, gateway_url = start_gateway(postgres, upstream_url, client, signing_key)
                try:
                    results[f"gateway ({client})"] = paired(upstream_url, gateway_url, token)
                finally:
                    stopped(gateway)
        finally:
            stopped(upstream)
            postgres.stop()
    report(results)


def report(results: dict[str, dict[int, tuple]]) -> None:
    print(f"GET {PATH} with a bearer token, {SECONDS:.0f} s per measurement (after {WARMUP} s warm-up); "
          "one upstream, one proxy process; each row paired with a direct measurement just before it")
    print(f"{'path':<22}{'conns':>6}{'req/s':>9}{'p50 ms':>8}{'p99 ms':>8}"
          f"{'direct req/s':>14}{'p50 ms':>8}{'% direct':>10}{'+p50 ms':>9}")
    for name, rows in results.items():
        for connections, ((direct_rate, direct_p50, _), (rate, p50, p99)) in rows.items():
            print(f"{name:<22}{connections:>6}{rate:>9.0f}{p50:>8.2f}{p99:>8.2f}{direct_rate:>14.0f}{direct_p50:>8.2f}"
                  f"{100 * rate / direct_rate:>9.0f}%{p50 - direct_p50:>9.2f}")

    def share(name: str) -> float:
        (direct_rate, *_), (rate, *_) = results[name][32]
        return rate / direct_rate

    best = max(CLIENTS, key=lambda c: share(f"gateway ({c})"))
    gateway, floor = share(f"gateway ({best})"), share("floor (bare aiohttp)")
    print(f"faster proxy client at 32 connections: {best} ({gateway:.0%} of direct, goal >= {GOAL:.0%}; "
          f"the bare floor reaches {floor:.0%}, so the gateway is at {gateway / floor:.0%} of what this box allows)")


if __name__ == "__main__":
    main()
