"""The loop every background job runs: again at once while there is work, idle when there is none,
and back off (with jitter, so replicas do not retry in step) while it fails, e.g. with the database down."""

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


def idle_pause(idle_seconds: float, idle_cap: float | None, quiet_steps: int) -> float:
    """How long to wait after `quiet_steps` steps in a row found nothing: `idle_seconds`, doubling each time
    up to `idle_cap` (no cap given: always `idle_seconds`), so a quiet service stops waking for nothing."""
    if idle_cap is None or idle_cap <= idle_seconds:
        return idle_seconds
    return min(idle_cap, idle_seconds * 2 ** min(quiet_steps - 1, 30))


async def repeat(name: str, step: Callable[[], Awaitable[bool]], idle_seconds: float, *,
                 idle_cap: float | None = None) -> None:
    """Run `step` until cancelled; it returns True when it found work (then it runs again at once). With
    `idle_cap`, the wait between steps that find nothing grows towards it and drops back once one finds work;
    a job whose wait is its point (a reconcile every interval) passes none."""
    failures = quiet = 0
    while True:
        try:
            busy = await step()
            failures = 0
            if busy:
                quiet = 0
            else:
                quiet += 1
                await asyncio.sleep(idle_pause(idle_seconds, idle_cap, quiet))
        except asyncio.CancelledError:
            raise
        except Exception as error:
            failures += 1
            log.warning("%s failed (%d in a row): %r", name, failures, error)
            await asyncio.sleep(min(30.0, 0.5 * 2 ** min(failures, 6)) * random.uniform(0.5, 1))
