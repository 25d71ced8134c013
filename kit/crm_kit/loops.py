"""The loop every background job runs: again at once while there is work, idle when there is none,
and back off (with jitter, so replicas do not retry in step) while it fails, e.g. with the database down."""

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def repeat(name: str, step: Callable[[], Awaitable[bool]], idle_seconds: float) -> None:
    """Run `step` until cancelled; it returns True when it found work (then it runs again at once)."""
    failures = 0
    while True:
        try:
            busy = await step()
            failures = 0
            if not busy:
                await asyncio.sleep(idle_seconds)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            failures += 1
            log.warning("%s failed (%d in a row): %r", name, failures, error)
            await asyncio.sleep(min(30.0, 0.5 * 2 ** min(failures, 6)) * random.uniform(0.5, 1))
