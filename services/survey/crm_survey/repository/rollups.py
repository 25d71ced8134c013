"""Monthly sums per dealer, advisor and metric, and the analytics queries over them.

An answer only appends increments (`add`); `fold` moves them into the sums in batches, outside any answer's
transaction, so concurrent answers for one dealer never wait on the dealer's rollup rows. Every read adds the
increments not folded yet in the same statement, so a figure is exact whether or not the fold has run."""

from datetime import date

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_survey.domain.analytics import Sum
from crm_survey.models.tables import ScoreRollup, ScoreRollupIncrement

folded = ScoreRollup.__table__
increments = ScoreRollupIncrement.__table__
KEY = ("kind", "dealer_id", "month", "advisor_id", "metric")
rollups = sa.union_all(
    sa.select(*(folded.c[name] for name in (*KEY, "total", "count"))),
    sa.select(*(increments.c[name] for name in (*KEY, "total", "count"))),
).subquery("rollups")

# Deleting the increments and adding them to the sums is one statement, hence one transaction: after a crash
# either both happened or neither, so nothing is counted twice or lost. SKIP LOCKED lets replicas fold side by
# side; sums are upserted in key order so two folds (or a history import) wait rather than deadlock.
FOLD = sa.text(f"""
    WITH taken AS (
        DELETE FROM score_rollup_increments
        WHERE id IN (SELECT id FROM score_rollup_increments ORDER BY id LIMIT :batch FOR UPDATE SKIP LOCKED)
        RETURNING {", ".join(KEY)}, total, count)
    INSERT INTO score_rollups ({", ".join(KEY)}, total, count)
    SELECT {", ".join(KEY)}, sum(total), sum(count) FROM taken
    GROUP BY {", ".join(KEY)} ORDER BY {", ".join(KEY)}
    ON CONFLICT ({", ".join(KEY)}) DO UPDATE
    SET total = score_rollups.total + excluded.total, count = score_rollups.count + excluded.count
""")


def increments_of(*, kind: str, dealer_id: str, month: date, advisor_id: str | None, values: dict[str, float],
                  counted: int = 1) -> list[dict]:
    """One response's (or invitation's) values as increment rows, one per metric."""
    return [dict(kind=kind, dealer_id=dealer_id, month=month, advisor_id=advisor_id or "", metric=metric,
                 total=float(total), count=counted) for metric, total in sorted(values.items())]


async def add_all(session: AsyncSession, rows: list[dict]) -> None:
    """Plain inserts no other answer touches. The rows go as parameters of one cached statement: a VALUES list
    built per call would be compiled again for every answer."""
    if rows:
        await session.exec(sa.insert(increments), params=rows)


async def add(session: AsyncSession, *, kind: str, dealer_id: str, month: date, advisor_id: str | None,
              values: dict[str, float], counted: int = 1) -> None:
    await add_all(session, increments_of(kind=kind, dealer_id=dealer_id, month=month, advisor_id=advisor_id,
                                         values=values, counted=counted))


async def fold(session: AsyncSession, batch: int = 5000) -> int:
    """Fold up to `batch` increments into the sums; how many sums it changed (0: nothing was waiting)."""
    return (await session.exec(FOLD, params={"batch": batch})).rowcount


def _period(kind: str, first: date, last: date):
    return [rollups.c.kind == kind, rollups.c.month >= first, rollups.c.month <= last]


async def sums(session: AsyncSession, kind: str, first: date, last: date, *, dealer_id: str | None = None,
               advisor_id: str | None = None) -> dict[str, Sum]:
    """Totals per metric over the period: one dealer's (and advisor's), or the whole network's."""
    query = sa.select(rollups.c.metric, sa.func.sum(rollups.c.total), sa.func.sum(rollups.c.count)).where(
        *_period(kind, first, last))
    if dealer_id is not None:
        query = query.where(rollups.c.dealer_id == dealer_id)
    if advisor_id is not None:
        query = query.where(rollups.c.advisor_id == advisor_id)
    rows = (await session.exec(query.group_by(rollups.c.metric))).all()
    return {metric: Sum(total, int(count)) for metric, total, count in rows}


async def monthly(session: AsyncSession, kind: str, first: date, last: date, dealer_id: str,
                  metrics: tuple[str, ...], advisor_id: str | None = None) -> dict[date, dict[str, Sum]]:
    query = sa.select(rollups.c.month, rollups.c.metric, sa.func.sum(rollups.c.total),
                      sa.func.sum(rollups.c.count)).where(
        *_period(kind, first, last), rollups.c.dealer_id == dealer_id, rollups.c.metric.in_(metrics))
    if advisor_id is not None:
        query = query.where(rollups.c.advisor_id == advisor_id)
    result: dict[date, dict[str, Sum]] = {}
    for month, metric, total, count in (await session.exec(
            query.group_by(rollups.c.month, rollups.c.metric))).all():
        result.setdefault(month, {})[metric] = Sum(total, int(count))
    return result


async def by_group(session: AsyncSession, kind: str, first: date, last: date, metrics: tuple[str, ...], *,
                   group: str, dealer_id: str | None = None,
                   dealers: frozenset[str] | None = None) -> dict[str, dict[str, Sum]]:
    """Per dealer (group="dealer_id") or per advisor of one dealer (group="advisor_id")."""
    column = rollups.c[group]
    query = sa.select(column, rollups.c.metric, sa.func.sum(rollups.c.total), sa.func.sum(rollups.c.count)).where(
        *_period(kind, first, last), rollups.c.metric.in_(metrics))
    if dealer_id is not None:
        query = query.where(rollups.c.dealer_id == dealer_id)
    if dealers is not None:
        query = query.where(rollups.c.dealer_id.in_(dealers))
    result: dict[str, dict[str, Sum]] = {}
    for key, metric, total, count in (await session.exec(query.group_by(column, rollups.c.metric))).all():
        result.setdefault(key, {})[metric] = Sum(total, int(count))
    return result


async def rebuild(session: AsyncSession) -> None:
    """Recompute every sum from the stored responses and invitations (after a bulk load or a repair)."""
    await session.exec(sa.text("DELETE FROM score_rollup_increments"))
    await session.exec(sa.text("DELETE FROM score_rollups"))
    await session.exec(sa.text("""
        INSERT INTO score_rollups (kind, dealer_id, month, advisor_id, metric, total, count)
        SELECT r.kind, r.dealer_id, date_trunc('month', r.recorded_at AT TIME ZONE 'Asia/Shanghai')::date,
               coalesce(r.advisor_id, ''), m.key, sum(m.value::float8), count(*)
        FROM responses r, jsonb_each_text(r.metrics) m
        GROUP BY 1, 2, 3, 4, 5
        UNION ALL
        SELECT i.kind, i.dealer_id, date_trunc('month', i.sent_at AT TIME ZONE 'Asia/Shanghai')::date,
               coalesce(i.advisor_id, ''), 'response', count(*) FILTER (WHERE i.status = 'answered'), count(*)
        FROM invitations i WHERE i.sent_at IS NOT NULL
        GROUP BY 1, 2, 3, 4
    """))
