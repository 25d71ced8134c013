"""Customer 360 page render time through the gateway, against the JSON API calls the page makes.

Setup: the suite as `make run` starts it (broker, PostgreSQL, four services, gateway, console) on free
ports, with the demo dealer loaded and scored (BENCH_360_CUSTOMERS customers, 2000 as in `make run`).
The CS information manager of the demo dealer signs in to the console as a browser does (sign-in form,
CSRF token, cookies), then the same customers are read two ways, interleaved so both see the same machine:

- page: GET /console/customers/{id} through the gateway, as the browser asks for it (HTML, with cookies);
- API: the calls that page makes, made with the same user's bearer token in the same order and
  parallelism (the customer; then consent, visits, profile, survey answers, care tasks, messages and
  cases at once; then each vehicle), from this process.

The difference is what the console adds: the gateway's proxying of the page, the console's own calls
to the gateway (and their token handling), and rendering the template. One request at a time.
Run: `python -m bench console_360` (or `make bench`). BENCH_360_ROUNDS sets how many pages (default 300).
"""

import asyncio
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from crm_devstack.demo import load_demo
from crm_devstack.kafka import free_port
from crm_devstack.stack import PROCESSES, SERVICES, Stack

CUSTOMERS = int(os.environ.get("BENCH_360_CUSTOMERS", "2000"))
ROUNDS = int(os.environ.get("BENCH_360_ROUNDS", "300"))
WARMUP = 20
USER, DEMO_PASSWORD, CHOSEN = "demo.cs-information-manager", "demo-password", "bench-360-Password-1"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


async def bearer(gateway: str, password: str) -> str:
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        answer = await client.post("/auth/token", data={"grant_type": "password", "username": USER,
                                                        "password": password})
        answer.raise_for_status()
        return answer.json()["access_token"]


async def signed_in_browser(gateway: str) -> httpx.AsyncClient:
    """A cookie-keeping client signed in to the console, its temporary password already replaced."""
    token = await bearer(gateway, DEMO_PASSWORD)
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        changed = await client.post("/api/v1/me/password", headers={"Authorization": f"Bearer {token}"},
                                    json={"current_password": DEMO_PASSWORD, "new_password": CHOSEN})
        assert changed.status_code == 204, changed.text
    browser = httpx.AsyncClient(base_url=gateway, timeout=30, headers={"Accept": "text/html"})
    form = await browser.get("/console/signin")
    csrf = CSRF.search(form.text).group(1)
    signed = await browser.post("/console/signin", data={"username": USER, "password": CHOSEN, "next": "/console/",
                                                         "csrf_token": csrf})
    assert signed.status_code == 303, signed.text
    return browser


async def api_calls(api: httpx.AsyncClient, customer_id: str) -> None:
    """What fetch/customer360.py asks for, in its order: the record, then eight sections at once."""
    (await api.get(f"/api/v1/customers/{customer_id}")).raise_for_status()
    by_customer = {"customer_id": customer_id, "limit": 20}
    await asyncio.gather(
        api.get(f"/api/v1/customers/{customer_id}/consents"),
        api.get("/api/v1/visits", params={"customer_id": customer_id, "limit": 50}),
        api.get("/api/v1/vehicles", params=by_customer),
        api.get(f"/api/v1/profiles/{customer_id}"),
        api.get("/api/v1/surveys/responses", params=by_customer),
        api.get("/api/v1/care/tasks", params=by_customer),
        api.get("/api/v1/care/messages", params=by_customer),
        api.get("/api/v1/care/cases", params=by_customer))


async def run(stack: Stack) -> None:
    gateway = stack.url("gateway")
    browser = await signed_in_browser(gateway)
    api = httpx.AsyncClient(base_url=gateway, timeout=30,
                            headers={"Authorization": f"Bearer {await bearer(gateway, CHOSEN)}"})
    found = await api.get("/api/v1/customers", params={"limit": 200, "dealer_id": "D-DEMO-001"})
    ids = [c["id"] for c in found.json()["items"]]
    timings: dict[str, list[float]] = {"page": [], "api": []}
    sizes = []
    try:
        for n in range(WARMUP + ROUNDS):
            customer_id = ids[n % len(ids)]
            started = time.perf_counter()
            page = await browser.get(f"/console/customers/{customer_id}")
            page_seconds = time.perf_counter() - started
            assert page.status_code == 200 and "暂不可用" not in page.text, page.status_code
            started = time.perf_counter()
            await api_calls(api, customer_id)
            api_seconds = time.perf_counter() - started
            if n >= WARMUP:
                timings["page"].append(page_seconds)
                timings["api"].append(api_seconds)
                sizes.append(len(page.content))
    finally:
        await browser.aclose()
        await api.aclose()
    print(f"Customer 360, demo dealer ({len(ids)} customers cycled, {ROUNDS} pages, one at a time, "
          f"page {statistics.mean(sizes) / 1024:.0f} KiB on average)")
    for kind, label in (("page", "360 page through the gateway"), ("api", "its JSON API calls (same order)")):
        values = timings[kind]
        print(f"  {label:<34} p50 {percentile(values, 50) * 1000:7.1f} ms   "
              f"p99 {percentile(values, 99) * 1000:7.1f} ms")
    added = [page - api for page, api in zip(timings["page"], timings["api"], strict=True)]
    print(f"  {'console adds (paired)':<34} p50 {percentile(added, 50) * 1000:7.1f} ms   "
          f"p99 {percentile(added, 99) * 1000:7.1f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="crm-360-") as state:
        stack = Stack(Path(state), ports={process: free_port() for process in PROCESSES}, kafka_port=None,
                      fast_database=True)
        print("starting the suite (broker, PostgreSQL, services, gateway, console) …", flush=True)
        stack.start()
        try:
            print(f"loading the demo dealer ({CUSTOMERS} customers) and waiting for its scoring …", flush=True)
            load_demo(stack.url("gateway"), "admin", stack.admin_password, count=CUSTOMERS,
                      services={service: stack.url(service) for service in SERVICES})
            asyncio.run(run(stack))
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
