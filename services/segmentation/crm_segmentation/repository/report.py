"""What the customer value report reads: counts at a month's end, classes now and at past months' ends,
the riskiest customers; and the monthly class snapshot the batch writes."""

from datetime import date

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_segmentation.domain.report import CHURN_RISK_ORDER, Classes
from crm_segmentation.models import Profile, VehicleProfile
from crm_segmentation.models.report import ClassSnapshot


def _live(dealers: frozenset[str] | None):
    where = [col(Profile.merged_into).is_(None), col(Profile.erased).is_(False)]
    return where + ([col(Profile.dealer_id).in_(dealers)] if dealers is not None else [])


async def counts(session: AsyncSession, dealers: frozenset[str] | None, as_of: date,
                 timezone: str) -> tuple[int, int, int]:
    """(customers, vehicles delivered, vehicles without a delivery date) as of `as_of`: a customer is known
    from the day of registration in the dealers' time zone, or of the first visit when no registration came."""
    known_on = sa.func.coalesce(sa.cast(sa.func.timezone(timezone, col(Profile.registered_at)), sa.Date),
                                col(Profile.first_visit_on))
    customers = select(Profile.customer_id).where(*_live(dealers), known_on <= as_of).subquery()
    customer_count = (await session.exec(select(sa.func.count()).select_from(customers))).one()
    delivered = col(VehicleProfile.delivery_date)
    vehicles = (await session.exec(
        select(sa.func.count().filter(delivered <= as_of), sa.func.count().filter(delivered.is_(None)))
        .join(customers, customers.c.customer_id == col(VehicleProfile.customer_id)))).one()
    return int(customer_count), int(vehicles[0]), int(vehicles[1])


async def current_classes(session: AsyncSession, dealers: frozenset[str] | None) -> list[Classes]:
    rows = await session.exec(select(Profile.customer_id, Profile.value_type, Profile.lifecycle_stage,
                                     Profile.rfm_segment).where(*_live(dealers)))
    return [Classes(*row) for row in rows.all()]


async def classes_at(session: AsyncSession, dealers: frozenset[str] | None, month: date) -> list[Classes] | None:
    """The classes snapshot of `month`, or None when no batch ran for the scope in that month."""
    query = select(ClassSnapshot.customer_id, ClassSnapshot.value_type, ClassSnapshot.lifecycle_stage,
                   ClassSnapshot.rfm_segment).where(ClassSnapshot.month == month)
    if dealers is not None:
        query = query.where(col(ClassSnapshot.dealer_id).in_(dealers))
    rows = (await session.exec(query)).all()
    return [Classes(*row) for row in rows] if rows else None


async def save_class_snapshot(session: AsyncSession, dealer_id: str, month: date) -> None:
    """The month's snapshot becomes the dealer's live customers' classes now (erased and merged ones leave)."""
    snapshot = ClassSnapshot.__table__
    await session.exec(sa.delete(snapshot).where(snapshot.c.dealer_id == dealer_id, snapshot.c.month == month))
    await session.exec(sa.insert(snapshot).from_select(
        ["dealer_id", "month", "customer_id", "value_type", "lifecycle_stage", "rfm_segment"],
        select(Profile.dealer_id, sa.literal(month, sa.Date), Profile.customer_id, Profile.value_type,
               Profile.lifecycle_stage, Profile.rfm_segment).where(*_live(frozenset([dealer_id])))))


async def top_churn_risks(session: AsyncSession, dealers: frozenset[str] | None, limit: int) -> list[Profile]:
    """Highest risk first, then the least likely to be alive, then by id so the order is stable."""
    rank = sa.case(*((col(Profile.churn_risk) == risk, order) for risk, order in CHURN_RISK_ORDER.items()))
    query = (select(Profile).where(*_live(dealers), col(Profile.churn_risk).in_(("high", "medium")))
             .order_by(rank, col(Profile.p_alive).asc().nulls_last(), col(Profile.customer_id)).limit(limit))
    return list((await session.exec(query)).all())
