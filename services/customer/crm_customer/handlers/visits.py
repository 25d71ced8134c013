"""Recording visits: idempotent on the dealer's repair-order or invoice number."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts import Envelope
from crm_contracts.events.customer import VisitRecorded
from crm_customer.domain import Refusal
from crm_customer.domain.visits import future_dates, subkind_refusal
from crm_customer.handlers.common import event, live_customer, new_row, refuse, stage_all, visible
from crm_customer.handlers.vehicles import new_reading
from crm_customer.models import OdometerReading, Vehicle, Visit, VisitCreate
from crm_customer.models.visits import SAME_VISIT_FIELDS
from crm_customer.repository import customers as customer_repository
from crm_customer.repository import records as repository
from crm_kit.auth import Principal
from crm_kit.idempotency import answered_with, first_answer
from crm_kit.problems import Problem, not_found


def visit_refusals(kind: str, subkind: str, visited_on: date, today: date) -> list[Refusal]:
    refusals = future_dates(today, visited_on=visited_on)
    refusal = subkind_refusal(kind, subkind)
    return refusals + ([("subkind", refusal)] if refusal else [])


def same_visit(stored: Visit, values: dict[str, Any]) -> bool:
    return all(getattr(stored, name) == values.get(name) for name in SAME_VISIT_FIELDS)


def recorded(visit: Visit, vehicle: Vehicle | None):
    return event(VisitRecorded(
        visit_id=visit.id, customer_id=visit.customer_id, vehicle_id=visit.vehicle_id, dealer_id=visit.dealer_id,
        kind=visit.kind, subkind=visit.subkind, visited_on=visit.visited_on, amount=visit.amount,
        margin=visit.margin, odometer_km=visit.odometer_km, advisor_id=visit.advisor_id,
        order_number=visit.order_number, closed=visit.closed,
        vehicle_delivery_date=vehicle.delivery_date if vehicle else None, recorded_at=visit.recorded_at),
        visit.customer_id, visit.dealer_id)


def visit_effects(visit: Visit, vehicle: Vehicle | None, now: datetime) -> tuple[list[Any], list[Envelope]]:
    """(new odometer readings for `repository.insert`, events); the vehicle's figures are moved on in place."""
    """The visit's event, and a new odometer reading when the visit is the vehicle's latest news: an old
    visit imported late keeps its odometer figure but does not roll the vehicle's reading back."""
    readings, events = [], [recorded(visit, vehicle)]
    if vehicle and visit.odometer_km is not None and (
            vehicle.odometer_read_on is None or visit.visited_on >= vehicle.odometer_read_on) and (
            vehicle.odometer_km is None or visit.odometer_km >= vehicle.odometer_km):
        reading, reading_event = new_reading(vehicle, visit.odometer_km, visit.visited_on, False, now)
        readings.append(reading)
        events.append(reading_event)
    return readings, events


async def record_visit(session: AsyncSession, principal: Principal, data: VisitCreate,
                       idempotency_key: str | None = None) -> tuple[Visit, bool]:
    """(the visit, whether it is new). A retried identical post answers the stored visit; a keyed retry
    answers exactly what the first request did."""
    values = data.model_dump()
    refusals = visit_refusals(data.kind, data.subkind, data.visited_on, date.today())
    try:
        async with session.begin():
            customer = live_customer(principal, await customer_repository.get_customer(session, data.customer_id))
            dealer_id = customer.dealer_id  # still readable after a rollback expires the customer
            if customer.erased_at is not None:
                refusals.append(("customer_id", "this customer was erased"))
            vehicle = None
            if data.vehicle_id:
                vehicle = await repository.get_vehicle(session, data.vehicle_id, for_update=True)
                if vehicle is None or vehicle.dealer_id != customer.dealer_id:
                    refusals.append(("vehicle_id", "no such vehicle at this customer's dealer"))
            if refusals:
                raise refuse(refusals)
            visit_id = uuid.uuid4()
            earlier = await first_answer(session, idempotency_key, customer.dealer_id, "POST /visits",
                                         data.model_dump(mode="json", exclude_unset=True), visit_id)
            if earlier:
                first = await repository.get_visit(session, uuid.UUID(earlier.resource_id))
                if first is None:
                    raise not_found("visit")
                return first, earlier.status_code == 201
            existing = await repository.visit_by_order(session, customer.dealer_id, data.order_number)
            if existing:
                await answered_with(session, idempotency_key, customer.dealer_id, existing.id, 200)
                return _retried(existing, values), False
            now = datetime.now(UTC)
            visit = new_row(Visit, **values, id=visit_id, dealer_id=customer.dealer_id, recorded_at=now)
            await customer_repository.insert(session, Visit, [visit])
            readings, events = visit_effects(visit, vehicle, now)
            if readings:
                customer_repository.add(session, vehicle)
                await customer_repository.insert(session, OdometerReading, readings)
            await stage_all(session, events)
    except IntegrityError:  # another request recorded this order number a moment ago
        async with session.begin():
            existing = await repository.visit_by_order(session, dealer_id, data.order_number)
        if existing is None:
            raise
        return _retried(existing, values), False
    return visit, True


def _retried(existing: Visit, values: dict[str, Any]) -> Visit:
    if not same_visit(existing, values):
        raise Problem(409, "Conflict", "This order number is recorded already with different details.",
                      existing_id=str(existing.id))
    return existing


async def read_visit(session: AsyncSession, principal: Principal, visit_id: uuid.UUID) -> Visit:
    async with session.begin():
        return visible(principal, await repository.get_visit(session, visit_id), "visit")


async def list_visits(session: AsyncSession, principal: Principal, filters: dict[str, Any], *,
                      after: repository.Position | None, limit: int) -> list[Visit]:
    async with session.begin():
        return await repository.list_visits(session, principal.dealer_filter(), **filters, after=after, limit=limit)


async def visits_of(session: AsyncSession, principal: Principal, customer_id: uuid.UUID, limit: int) -> list[Visit]:
    async with session.begin():
        live_customer(principal, await customer_repository.get_customer(session, customer_id))
        return await repository.visits_of(session, customer_id, limit)
