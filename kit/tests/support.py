"""What the kit's event tests share: an effects table that shows every doubled effect."""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from crm_contracts import Envelope, new_event
from crm_contracts.events.customer import CustomerRegistered

effects_metadata = sa.MetaData()
effects = sa.Table("effects", effects_metadata, sa.Column("event_id", sa.Uuid), sa.Column("customer_id", sa.Uuid))


def registered(dealer: str = "D1") -> Envelope:
    customer = uuid.uuid4()
    payload = CustomerRegistered(customer_id=customer, dealer_id=dealer, kind="person", status="customer",
                                 registered_at=datetime.now(UTC))
    return new_event(payload, service="customer", subject=str(customer), dealer_id=dealer)


async def record_effect(session, event: Envelope) -> None:
    await session.exec(effects.insert().values(event_id=event.id, customer_id=uuid.UUID(event.subject)))


async def effect_count(sessions) -> int:
    async with sessions() as session:
        return (await session.exec(sa.select(sa.func.count()).select_from(effects))).scalar_one()




async def effects_at_least(sessions, count: int) -> bool:
    return await effect_count(sessions) >= count
