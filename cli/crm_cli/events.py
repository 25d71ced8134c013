"""`crm events tail TOPIC`: read a topic and show each CloudEvents envelope, or what is wrong with it."""

import asyncio
import json
import time
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from rich.console import Console
from rich.json import JSON
from rich.panel import Panel

from crm_contracts import Envelope


def render(message: ConsumerRecord) -> Panel:
    headers = {key: value.decode(errors="replace") for key, value in message.headers or ()}
    where = f"{message.topic}[{message.partition}]@{message.offset}"
    try:
        event = Envelope.from_json(message.value)
    except Exception:
        body = message.value.decode(errors="replace") if message.value else "(empty)"
        return Panel(body, title=f"not an envelope · {where}", border_style="red",
                     subtitle=headers.get("crm_error", ""))
    title = f"{event.type} · {where}"
    meta = {"id": str(event.id), "time": event.time.isoformat(), "source": event.source, "subject": event.subject,
            "dealer": event.dealerid, "request": event.requestid}
    document = {**{k: v for k, v in meta.items() if v}, "data": event.model_dump(mode="json").get("data")}
    if "crm_error" in headers:  # a dead-lettered event carries why
        document["dead_letter"] = {k.removeprefix("crm_"): v for k, v in headers.items() if k.startswith("crm_")}
    return Panel(JSON(json.dumps(document, ensure_ascii=False)), title=title, border_style="cyan")


async def tail(bootstrap: str, topic: str, *, from_beginning: bool, limit: int | None, seconds: float | None,
               show: Callable[[ConsumerRecord], None], key: str | None = None) -> int:
    """Events shown; with `key`, only those of that record (the message key: a customer id on most topics)."""
    wanted = key.encode() if key else None
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest" if from_beginning else "latest")
    await consumer.start()
    shown = 0
    deadline = time.monotonic() + seconds if seconds else None
    try:
        while (limit is None or shown < limit) and (deadline is None or time.monotonic() < deadline):
            for messages in (await consumer.getmany(timeout_ms=300)).values():
                for message in messages:
                    if limit is not None and shown >= limit:
                        break
                    if wanted is not None and message.key != wanted:
                        continue
                    show(message)
                    shown += 1
    finally:
        await consumer.stop()
    return shown


def run_tail(console: Console, bootstrap: str, topic: str, **options) -> int:
    return asyncio.run(tail(bootstrap, topic, show=lambda m: console.print(render(m)), **options))
