"""Talking to the broker with aiokafka from sync code: is it ready, and creating topics."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from crm_devstack.process import BrokerError

T = TypeVar("T")


def run_async(fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
    """Run `fn(*args)` to completion from sync code, even if this thread already runs an event loop.

    The coroutine gets a fresh loop in a fresh thread, so aiokafka objects never touch the caller's loop.
    """
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="crm-kafka") as pool:
        return pool.submit(lambda: asyncio.run(fn(*args))).result()


async def metadata_ok(bootstrap: str, wait_s: float) -> bool:
    from aiokafka import AIOKafkaClient

    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=int(wait_s * 1000))
    try:
        async with asyncio.timeout(wait_s):
            await client.bootstrap()
            return bool(client.cluster.brokers())
    finally:
        await client.close()


async def create_topics(bootstrap: str, names: list[str], partitions: int, wait_s: float) -> None:
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import for_code

    if not names:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(wait_s * 1000))
    await admin.start()
    try:
        async with asyncio.timeout(wait_s):
            existing = set(await admin.list_topics())
            missing = [n for n in dict.fromkeys(names) if n not in existing]
            if missing:
                resp = await admin.create_topics(
                    [NewTopic(n, num_partitions=partitions, replication_factor=1) for n in missing],
                    timeout_ms=int(wait_s * 1000),
                )
                for topic, code, *rest in resp.topic_errors:
                    if code not in (0, 36):  # 36: TOPIC_ALREADY_EXISTS (a concurrent creator)
                        message = rest[0] if rest and isinstance(rest[0], str) else ""
                        raise BrokerError(f"creating topic {topic!r}: {for_code(code).__name__} {message}")
            # wait until the metadata shows every partition with a leader, so producing right away works
            while True:
                described = await admin.describe_topics(list(names))
                if all(
                    t["error_code"] == 0
                    and t["partitions"]
                    and all(p["error_code"] == 0 and p["leader"] >= 0 for p in t["partitions"])
                    for t in described
                ):
                    return
                await asyncio.sleep(0.1)
    finally:
        await admin.close()
