"""Use cases: load, apply the domain rules, save the state and its event in one transaction."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts import new_event
from crm_contracts.events.customer import CustomerRegistered
from crm_customer import repository
from crm_customer.domain import InvalidMobile, normalise_mobile
from crm_customer.models import Customer, CustomerCreate
from crm_kit.logs import request_id
from crm_kit.outbox import stage
from crm_kit.problems import Problem, field_error, invalid


async def register_customer(session: AsyncSession, data: CustomerCreate, dealer_id: str) -> Customer:
    try:
        mobile = normalise_mobile(data.mobile)
    except InvalidMobile as error:
        raise invalid(field_error("body", "mobile", str(error))) from error
    async with session.begin():
        existing = await repository.find_by_mobile(session, dealer_id, mobile)
        if existing:
            raise Problem(409, "Conflict", "A customer with this mobile already exists at this dealer.",
                          existing_id=str(existing.id))
        now = datetime.now(UTC)
        customer = Customer(name=data.name, kind=data.kind, mobile=mobile, dealer_id=dealer_id,
                            created_at=now, updated_at=now)
        repository.add_customer(session, customer)
        await stage(session, new_event(
            CustomerRegistered(customer_id=customer.id, dealer_id=dealer_id, kind=customer.kind,
                               status="customer", registered_at=now),
            service="customer", subject=str(customer.id), dealer_id=dealer_id, request_id=request_id.get()))
    return customer
