"""Token buckets shared by replicas through PostgreSQL: two limiters on one database admit about one limit."""

import pytest

from crm_kit.ratelimit import TokenBucket
from crm_kit.shared_limits import Reconciler, SharedBucket, metadata


@pytest.fixture
async def shared_sessions(sessions):
    async with sessions() as session, session.begin():
        await (await session.connection()).run_sync(metadata.create_all)
    return sessions


def replica(sessions, clock):
    limit = SharedBucket("api", TokenBucket(rate=0.001, burst=10))
    return limit, Reconciler(sessions, [limit], clock=clock, monotonic=clock)


async def test_two_replicas_reconciling_admit_one_limit_not_two(shared_sessions):
    now = [1000.0]

    def clock():
        return now[0]

    (first, first_sync), (second, second_sync) = replica(shared_sessions, clock), replica(shared_sessions, clock)
    admitted = 0
    for turn in range(40):
        limit = first if turn % 2 == 0 else second
        admitted += limit.take("client", now[0]) == 0
        if turn % 4 == 3:  # a reconcile every four requests: the slack is the requests in between
            await first_sync.reconcile()
            await second_sync.reconcile()
    assert 10 <= admitted <= 12, admitted
    other_client = first.take("someone else", now[0])
    assert other_client == 0


async def test_counts_are_not_lost_when_a_reconcile_fails(shared_sessions):
    now = [5000.0]
    limit, sync = replica(shared_sessions, lambda: now[0])
    assert limit.take("c", now[0]) == 0

    class Broken:
        def __call__(self):
            raise ConnectionError("database down")

    sync.sessions = Broken()
    with pytest.raises(ConnectionError):
        await sync.reconcile()
    assert limit.pending == {"c": 1}


def test_the_headers_name_a_burst_as_the_quota_and_the_time_it_takes_to_refill_as_the_window():
    limit = SharedBucket("default", TokenBucket(rate=100, burst=200))
    assert limit.take("c", 0) == 0
    assert limit.headers("c", 0) == {"RateLimit-Policy": '"default";q=200;w=2', "RateLimit": '"default";r=199;t=1'}
