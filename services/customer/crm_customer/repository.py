"""Every query of the customer service."""

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_customer.models import Customer


async def get_customer(session: AsyncSession, customer_id: uuid.UUID) -> Customer | None:
    return await session.get(Customer, customer_id)


async def find_by_mobile(session: AsyncSession, dealer_id: str, mobile: str) -> Customer | None:
    query = select(Customer).where(Customer.dealer_id == dealer_id, Customer.mobile == mobile)
    return (await session.exec(query)).first()


def add_customer(session: AsyncSession, customer: Customer) -> None:
    session.add(customer)
