"""kill -9 the consuming service mid-stream and restart it: nothing lost, nothing doubled."""

import asyncio

import pytest

from crm_devstack.pytest_plugin import eventually

from .support import Writer, admin_token, count_profiles, delivery_report, new_dealer, processed_by

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

WRITES = 1_000


async def test_segmentation_killed_mid_stream_resumes_without_loss_or_double_effect(fault_stack):
    stack, dealer = fault_stack, new_dealer("consumer")
    writer = Writer(stack.url("customer"), await admin_token(stack), dealer)
    writing = asyncio.create_task(writer.register(WRITES))
    await eventually(lambda: profiles_at_least(stack, dealer, 150), timeout=90, interval=0.1)
    stack.stop_process("segmentation", kill=True)
    effects_before_restart = await count_profiles(stack)
    assert await count_profiles(stack, dealer) < WRITES  # killed mid-stream, with work left to do
    await writing
    stack.start_process("segmentation")
    await asyncio.to_thread(stack.wait_ready, ("segmentation",))

    await eventually(lambda: profiles_at_least(stack, dealer, WRITES), timeout=120, interval=0.3)
    report = await delivery_report(stack, dealer, writer.created)
    assert report["customers"] == report["created"] == report["profiles"]
    assert report["inboxed"] == report["events"] == WRITES
    # The restarted process re-reads what the killed one had not committed; each effect still happens once:
    # it applied exactly the events that had no effect yet.
    new_effects = await count_profiles(stack) - effects_before_restart
    assert new_effects > 0

    async def processed_once_each():
        return await processed_by(stack, "segmentation") == new_effects

    await eventually(processed_once_each, timeout=10)


async def profiles_at_least(stack, dealer: str, count: int) -> bool:
    return await count_profiles(stack, dealer) >= count
