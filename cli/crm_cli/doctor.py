"""`crm doctor`: every connection the suite needs, each with a plain sentence when it is broken."""

import asyncio
import contextlib
from dataclasses import dataclass

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient

from crm_contracts import topics

SERVICES = {"customer": 8001, "segmentation": 8002, "survey": 8003, "care": 8004}


@dataclass
class Finding:
    check: str
    ok: bool
    detail: str


def check_process(name: str, url: str) -> Finding:
    try:
        response = httpx.get(url.rstrip("/") + "/readyz", timeout=5)
    except httpx.ConnectError:
        return Finding(name, False, f"nothing answers at {url}: is the process running, and is this its address?")
    except httpx.HTTPError as error:
        return Finding(name, False, f"{url} did not answer properly: {type(error).__name__}")
    try:
        checks = response.json().get("checks", {})
    except ValueError:
        return Finding(name, False, f"{url}/readyz answered {response.status_code} without the health document: "
                                    "is something else listening there?")
    if response.status_code == 200:
        return Finding(name, True, f"ready at {url}")
    broken = [f"{part}: {state}" for part, state in checks.items() if state != "ok"]
    hints = {"database": "it cannot reach its PostgreSQL database", "kafka": "it cannot reach Kafka",
             "consumer": "its Kafka consumer is not polling (broker down or group stuck)"}
    reasons = [hints.get(part, part) for part, state in checks.items() if state != "ok"]
    return Finding(name, False, f"not ready at {url}: {'; '.join(reasons) or 'unknown'} ({', '.join(broken)})")


async def _kafka(bootstrap: str) -> Finding:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        await asyncio.wait_for(admin.start(), 10)
        present = set(await asyncio.wait_for(admin.list_topics(), 10))
    except Exception as error:
        return Finding("kafka", False, f"cannot reach the Kafka broker at {bootstrap} ({type(error).__name__}): "
                                       "is it running, and do its advertised listeners match this address?")
    finally:
        with contextlib.suppress(Exception):  # a client that never connected has nothing to close cleanly
            await asyncio.wait_for(admin.close(), 5)
    wanted = [name for topic in topics.ALL for name in (topic, topics.dead_letter(topic))]
    missing = [name for name in wanted if name not in present]
    if missing:
        return Finding("kafka", False, f"reachable at {bootstrap}, but topics are missing: {', '.join(missing)} "
                                       "(topics are not auto-created; create them with the partitions you want)")
    return Finding("kafka", True, f"reachable at {bootstrap}; all {len(wanted)} topics exist")


async def _postgres(url: str) -> Finding:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    try:
        connection = await asyncio.wait_for(asyncpg.connect(dsn), 10)
    except Exception as error:
        return Finding("postgresql", False, f"cannot connect ({type(error).__name__}: {error}): check the host, "
                                            "the password and that the server accepts connections")
    try:
        version = await connection.fetchval("SHOW server_version")
    finally:
        await connection.close()
    return Finding("postgresql", True, f"connected; server {version}")


def check_kafka(bootstrap: str) -> Finding:
    return asyncio.run(_kafka(bootstrap))


def check_postgres(url: str) -> Finding:
    return asyncio.run(_postgres(url))


def examine(gateway: str, services: dict[str, str], kafka: str, database_url: str | None) -> list[Finding]:
    findings = [check_process("gateway", gateway)]
    findings += [check_process(name, url) for name, url in services.items()]
    findings.append(check_kafka(kafka))
    if database_url:
        findings.append(check_postgres(database_url))
    return findings
