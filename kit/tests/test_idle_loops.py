"""A background job that finds nothing waits longer and longer, up to its cap, and looks again at once as soon
as it finds work: a quiet service stops waking up for nothing, a busy one is not slowed."""

import asyncio

import pytest

from crm_kit import loops
from crm_kit.loops import idle_pause, repeat


def test_quiet_steps_wait_ever_longer_up_to_the_cap():
    assert [idle_pause(1.0, 16.0, n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 16, 16]
    assert [idle_pause(0.25, None, n) for n in range(1, 4)] == [0.25, 0.25, 0.25]


async def test_work_found_resets_the_wait(monkeypatch):
    found = iter([False, False, False, True, True, False, False])
    waits: list[float] = []

    async def step() -> bool:
        try:
            return next(found)
        except StopIteration:
            raise asyncio.CancelledError from None

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(loops.asyncio, "sleep", sleep)
    with pytest.raises(asyncio.CancelledError):
        await repeat("test job", step, 0.5, idle_cap=8)
    assert waits == [0.5, 1, 2, 0.5, 1]
