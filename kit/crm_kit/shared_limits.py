"""Rate limits that hold across replicas, with no database round trip per request.

Each replica limits on its own token buckets (crm_kit.ratelimit) and, every few hundred milliseconds,
reconciles through PostgreSQL: it adds what it admitted per key to the current period's row (one upsert
for all keys) and reads back the rows any replica changed lately, then spends on its own buckets what
the others admitted since it last looked.

The slack: between two reconciles a replica does not know the others' share, so with n replicas a key
can get about (n - 1) × (what it may send in one interval) more than the limit, plus, for a client new
to every replica at once, up to n bursts before the first reconcile. A limit meant to stop a flood or a
guessing script holds; it is not an exact quota.
"""

import math
import time
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from crm_kit.loops import repeat
from crm_kit.ratelimit import TokenBucket, limit_header, policy_header

metadata = sa.MetaData()
# Each service that shares limits creates this table in a migration of its own.
counts = sa.Table(
    "rate_limit_counts", metadata,
    sa.Column("limiter", sa.Text, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("period", sa.BigInteger, primary_key=True),  # epoch seconds // period_seconds
    sa.Column("admitted", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("rate_limit_counts_recent", "limiter", "period", "updated_at"),
)


class SharedBucket:
    """A named TokenBucket whose admissions are counted for the next reconcile."""

    def __init__(self, name: str, bucket: TokenBucket):
        self.name, self.bucket = name, bucket
        self.pending: dict[str, int] = {}  # admitted here since the last reconcile
        self.seen: dict[str, int] = {}  # the cluster's total per key in `period`, as last read
        self.period: int | None = None

    def take(self, key: str, now: float) -> float:
        wait = self.bucket.take(key, now)
        if not wait:
            self.pending[key] = self.pending.get(key, 0) + 1
        return wait

    def headers(self, key: str, now: float) -> dict[str, str]:
        """RateLimit-Policy and RateLimit for this key (draft-ietf-httpapi-ratelimit-headers).

        A token bucket in the draft's terms: a quota of one burst, in the window that refills it whole."""
        remaining, reset = self.bucket.remaining(key, now)
        quota = int(self.bucket.burst)
        window = max(1, math.ceil(self.bucket.burst / self.bucket.rate))
        return {"RateLimit-Policy": policy_header(self.name, quota, window),
                "RateLimit": limit_header(self.name, remaining, reset)}


class Reconciler:
    """Runs as a background job of the service: `await reconciler.run()`."""

    def __init__(self, sessions, limits: list[SharedBucket], *, interval: float = 0.25, period_seconds: int = 60,
                 clock: Callable[[], float] = time.time, monotonic: Callable[[], float] = time.monotonic):
        self.sessions, self.limits, self.interval = sessions, limits, interval
        self.period_seconds, self.clock, self.monotonic = period_seconds, clock, monotonic
        # Rows changed this long ago still count as news: a replica's transaction may commit late.
        self.recent = timedelta(seconds=max(2.0, 8 * interval))

    async def run(self) -> None:
        await repeat("reconciling rate limits", self.reconcile_quietly, self.interval)

    async def reconcile_quietly(self) -> bool:
        await self.reconcile()
        return False  # never "busy": the interval is the point

    async def reconcile(self) -> None:
        period = int(self.clock() // self.period_seconds)
        taken = [(limit, limit.pending) for limit in self.limits]
        for limit in self.limits:
            limit.pending = {}
        try:
            async with self.sessions() as session, session.begin():
                for limit, pending in taken:
                    await self._reconcile(session, limit, pending, period)
        except BaseException:
            for limit, pending in taken:  # counted again next time, not lost
                for key, count in pending.items():
                    limit.pending[key] = limit.pending.get(key, 0) + count
            raise

    async def _reconcile(self, session, limit: SharedBucket, pending: dict[str, int], period: int) -> None:
        if limit.period != period:
            if limit.period is not None:
                await session.exec(sa.delete(counts).where(counts.c.limiter == limit.name,
                                                              counts.c.period < period - 1))
            limit.period, limit.seen = period, {}
        if pending:
            statement = insert(counts).values([{"limiter": limit.name, "key": key, "period": period, "admitted": n}
                                               for key, n in pending.items()])
            await session.exec(statement.on_conflict_do_update(
                index_elements=[counts.c.limiter, counts.c.key, counts.c.period],
                set_={"admitted": counts.c.admitted + statement.excluded.admitted, "updated_at": sa.func.now()}))
        rows = await session.exec(
            sa.select(counts.c.key, counts.c.admitted)
            .where(counts.c.limiter == limit.name, counts.c.period == period,
                   counts.c.updated_at > sa.func.now() - self.recent))
        now = self.monotonic()
        for key, total in rows:
            others = total - limit.seen.get(key, 0) - pending.get(key, 0)
            if others > 0:
                limit.bucket.spend(key, others, now)
            limit.seen[key] = max(total, limit.seen.get(key, 0))

