"""Monthly sums per dealer, advisor and metric, and the analytics queries over them."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_survey.domain.analytics import Sum
from crm_survey.models.tables import ScoreRollup

rollups = ScoreRollup.__table__


async def add(session: AsyncSession, *, kind: str, dealer_id: str, month: date, advisor_id: str | None,
              values: dict[str, float], counted: int = 1) -> None:
    """Add one response's (or invitation's) values. Rows are upserted in key order, so two concurrent
    responses for the same dealer and month wait for each other instead of deadlocking."""
    if not values:
        return
    rows = [dict(kind=kind, dealer_id=dealer_id, month=month, advisor_id=advisor_id or "", metric=metric,
                 total=float(total), count=counted) for metric, total in sorted(values.items())]
    statement = insert(rollups).values(rows)
    await session.exec(statement.on_conflict_do_update(
        index_elements=["kind", "dealer_id", "month", "advisor_id", "metric"],
        set_={"total": rollups.c.total + statement.excluded.total, "count": rollups.c.count + statement.excluded.count},
    ))


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
