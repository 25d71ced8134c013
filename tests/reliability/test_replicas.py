"""Two replicas of the consuming service share the partitions with no doubled effect; one takes over
when the other dies."""

import asyncio

import pytest

from crm_devstack.pytest_plugin import eventually

from .support import Writer, admin_token, count_profiles, delivery_report, new_dealer, processed_by

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

WRITES = 600
REPLICA = "segmentation#2"


async def test_two_replicas_share_the_work_and_one_takes_over_when_the_other_dies(fault_stack):
    stack, dealer = fault_stack, new_dealer("replicas")
    stack.start_process(REPLICA)  # same settings, so the same consumer group
    try:
        await asyncio.to_thread(stack.wait_ready, (REPLICA,))
        writer = Writer(stack.url("customer"), await admin_token(stack), dealer)
        before = await count_profiles(stack)
        first = {process: await processed_by(stack, process) for process in ("segmentation", REPLICA)}
        await writer.register(WRITES)
        await eventually(lambda: profiles_at_least(stack, dealer, WRITES), timeout=120, interval=0.3)

        async def shared_without_doubles():
            done = {process: await processed_by(stack, process) - first[process] for process in first}
            return done if sum(done.values()) == await count_profiles(stack) - before else None

        shares = await eventually(shared_without_doubles, timeout=15)
        print(f"\nshares of {WRITES} events: {shares}")
        assert all(share > 0 for share in shares.values()), shares  # both replicas own partitions

        stack.stop_process("segmentation", kill=True)
        survivor_before, effects_before = await processed_by(stack, REPLICA), await count_profiles(stack)
        await writer.register(WRITES)
        await eventually(lambda: profiles_at_least(stack, dealer, 2 * WRITES), timeout=120, interval=0.3)

        async def survivor_did_the_rest():
            return (await processed_by(stack, REPLICA) - survivor_before
                    == await count_profiles(stack) - effects_before == WRITES)

        await eventually(survivor_did_the_rest, timeout=15)
        report = await delivery_report(stack, dealer, writer.created)
        assert report["customers"] == report["created"] == report["profiles"]
        assert report["inboxed"] == report["events"] == 2 * WRITES
    finally:
        if "segmentation" not in stack.processes:
            stack.start_process("segmentation")
            await asyncio.to_thread(stack.wait_ready, ("segmentation",))
        stack.stop_process(REPLICA)


async def profiles_at_least(stack, dealer: str, count: int) -> bool:
    return await count_profiles(stack, dealer) >= count
