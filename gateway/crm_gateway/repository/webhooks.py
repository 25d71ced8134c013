"""Queries on webhook subscriptions, deliveries and attempts."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_gateway.models import DeliveryAttempt, Subscription, WebhookDelivery


async def subscription(session: AsyncSession, subscription_id: uuid.UUID, *, lock: bool = False
                       ) -> Subscription | None:
    return await session.get(Subscription, subscription_id, with_for_update=lock)


async def subscriptions(session: AsyncSession, owner: str | None, limit: int, after: uuid.UUID | None,
                        reaching: frozenset[str] | None = None) -> list[Subscription]:
    """`owner`'s subscriptions, and with `reaching` also every one that sends those dealers' events."""
    query = select(Subscription).order_by(Subscription.id).limit(limit + 1)
    if owner is not None and reaching:
        query = query.where(sa.or_(Subscription.owner == owner,
                                   col(Subscription.dealers).overlap(sorted(reaching | {"*"}))))
    elif owner is not None:
        query = query.where(Subscription.owner == owner)
    if after is not None:
        query = query.where(Subscription.id > after)
    return list((await session.exec(query)).all())


async def subscriptions_by_id(session: AsyncSession, ids: set[uuid.UUID]) -> list[Subscription]:
    return list((await session.exec(select(Subscription).where(col(Subscription.id).in_(ids)))).all())


async def matching(session: AsyncSession, event_type: str, dealer_id: str) -> list[Subscription]:
    query = select(Subscription).where(
        col(Subscription.status).in_(("active", "paused")),
        sa.or_(col(Subscription.event_types).contains([event_type]), col(Subscription.event_types).contains(["*"])),
        sa.or_(col(Subscription.dealers).contains([dealer_id]), col(Subscription.dealers).contains(["*"])))
    return list((await session.exec(query)).all())


async def claim_due(session: AsyncSession, now: datetime, limit: int, lease_until: datetime) -> list[WebhookDelivery]:
    """Due deliveries whose customer has no earlier delivery still pending for the same subscription.

    The claimed rows are leased (pushed to `lease_until`) so that another sender skips them, and so a
    sender that dies mid-request leaves them to be tried again once the lease runs out.
    """
    earlier = aliased(WebhookDelivery)
    blocked = select(earlier.id).where(
        earlier.subscription_id == WebhookDelivery.subscription_id, earlier.subject == WebhookDelivery.subject,
        earlier.status == "pending", earlier.id < WebhookDelivery.id)
    query = (select(WebhookDelivery)
             .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now, ~sa.exists(blocked))
             .order_by(WebhookDelivery.id).limit(limit).with_for_update(skip_locked=True))
    claimed = list((await session.exec(query)).all())
    for delivery in claimed:
        delivery.next_attempt_at = lease_until
        session.add(delivery)
    return claimed


async def delivery(session: AsyncSession, delivery_id: int) -> WebhookDelivery | None:
    return await session.get(WebhookDelivery, delivery_id, with_for_update=True)


async def abandon_pending(session: AsyncSession, subscription_id: uuid.UUID, reason: str) -> None:
    await session.exec(sa.update(WebhookDelivery).where(
        WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.status == "pending",
    ).values(status="failed", last_error=reason))


async def deliveries(session: AsyncSession, subscription_id: uuid.UUID, limit: int, after: int | None,
                     dealers: frozenset[str] | None = None) -> list[WebhookDelivery]:
    query = (select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
             .order_by(col(WebhookDelivery.id).desc()).limit(limit + 1))
    if dealers is not None:
        query = query.where(col(WebhookDelivery.dealer_id).in_(sorted(dealers)))
    if after is not None:
        query = query.where(WebhookDelivery.id < after)
    return list((await session.exec(query)).all())


async def attempts(session: AsyncSession, delivery_id: int) -> list[DeliveryAttempt]:
    return list((await session.exec(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery_id)
                                    .order_by(DeliveryAttempt.id))).all())


async def replay(session: AsyncSession, subscription_id: uuid.UUID, since: datetime, status: str = "pending") -> int:
    """Queue again, in their original order, the first delivery of every event since `since`."""
    table = WebhookDelivery.__table__
    originals = (select(table.c.subscription_id, table.c.event_id, table.c.event_type, table.c.subject,
                        table.c.dealer_id, table.c.event_time, table.c.body, sa.true(), sa.literal(status))
                 .where(table.c.subscription_id == subscription_id, table.c.event_time >= since, ~table.c.replay)
                 .order_by(table.c.id))
    statement = table.insert().from_select(
        ["subscription_id", "event_id", "event_type", "subject", "dealer_id", "event_time", "body", "replay",
         "status"], originals).returning(table.c.id)
    return len((await session.exec(statement)).all())


async def hold_pending(session: AsyncSession, subscription_id: uuid.UUID) -> None:
    await session.exec(sa.update(WebhookDelivery).where(
        WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.status == "pending",
    ).values(status="held"))


async def release_held(session: AsyncSession, subscription_id: uuid.UUID, now: datetime) -> int:
    """Held deliveries become due at once; their ids keep the order they go out in."""
    released = await session.exec(sa.update(WebhookDelivery).where(
        WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.status == "held",
    ).values(status="pending", next_attempt_at=now).returning(WebhookDelivery.id))
    return len(released.all())


async def delivery_of(session: AsyncSession, subscription_id: uuid.UUID, delivery_id: int) -> WebhookDelivery | None:
    found = await session.get(WebhookDelivery, delivery_id)
    return found if found is not None and found.subscription_id == subscription_id else None
