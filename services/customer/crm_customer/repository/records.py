"""Queries about vehicles, ownership, odometer readings, visits, consent and leads."""

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_customer.models import Consent, Lead, OdometerReading, Ownership, Vehicle, Visit
from crm_kit.pagination import newest_first

Position = tuple[Any, uuid.UUID]  # (sort key, id) of the last row of the previous page


async def get_vehicle(session: AsyncSession, vehicle_id: uuid.UUID, *, for_update: bool = False) -> Vehicle | None:
    query = select(Vehicle).where(Vehicle.id == vehicle_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def vehicles_by_vin(session: AsyncSession, vins: Iterable[str]) -> dict[str, Vehicle]:
    vins = list(vins)
    if not vins:
        return {}
    found = (await session.exec(select(Vehicle).where(col(Vehicle.vin).in_(vins)))).all()
    return {vehicle.vin: vehicle for vehicle in found}


async def vehicles_by_id(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Vehicle]:
    ids = list(ids)
    if not ids:
        return {}
    found = (await session.exec(select(Vehicle).where(col(Vehicle.id).in_(ids)))).all()
    return {vehicle.id: vehicle for vehicle in found}


async def ownership_of(session: AsyncSession, vehicle_id: uuid.UUID) -> list[Ownership]:
    query = select(Ownership).where(Ownership.vehicle_id == vehicle_id).order_by(Ownership.from_date, Ownership.id)
    return list((await session.exec(query)).all())


async def current_ownership(session: AsyncSession, vehicle_id: uuid.UUID) -> Ownership | None:
    query = select(Ownership).where(Ownership.vehicle_id == vehicle_id, col(Ownership.to_date).is_(None))
    return (await session.exec(query)).first()


async def readings_of(session: AsyncSession, vehicle_id: uuid.UUID) -> list[OdometerReading]:
    query = select(OdometerReading).where(OdometerReading.vehicle_id == vehicle_id).order_by(
        OdometerReading.read_on, OdometerReading.id)
    return list((await session.exec(query)).all())


async def add_reading(session: AsyncSession, reading: Any) -> int:
    """Insert a new reading (from `handlers.common.new_row`); returns the id the database gave it."""
    values = {name: value for name, value in vars(reading).items() if name != "id"}
    table = OdometerReading.__table__
    return (await session.exec(table.insert().values(**values).returning(table.c.id))).scalar_one()


async def get_reading(session: AsyncSession, reading_id: int) -> OdometerReading | None:
    return await session.get(OdometerReading, reading_id)


async def visit_by_order(session: AsyncSession, dealer_id: str, order_number: str) -> Visit | None:
    query = select(Visit).where(Visit.dealer_id == dealer_id, Visit.order_number == order_number)
    return (await session.exec(query)).first()


async def visits_by_order(session: AsyncSession, dealer_id: str, numbers: Iterable[str]) -> dict[str, Visit]:
    numbers = list(numbers)
    if not numbers:
        return {}
    query = select(Visit).where(Visit.dealer_id == dealer_id, col(Visit.order_number).in_(numbers))
    return {visit.order_number: visit for visit in (await session.exec(query)).all()}


async def get_visit(session: AsyncSession, visit_id: uuid.UUID) -> Visit | None:
    return await session.get(Visit, visit_id)


async def list_visits(session: AsyncSession, dealers: frozenset[str] | None, *, dealer_id: str | None,
                      customer_id: uuid.UUID | None, vehicle_id: uuid.UUID | None, visited_from: date | None,
                      visited_to: date | None, after: Position | None, limit: int) -> list[Visit]:
    query = select(Visit)
    if customer_id:
        query = query.where(Visit.customer_id == customer_id)
    if vehicle_id:
        query = query.where(Visit.vehicle_id == vehicle_id)
    if visited_from:
        query = query.where(Visit.visited_on >= visited_from)
    if visited_to:
        query = query.where(Visit.visited_on <= visited_to)
    query = newest_first(query, (Visit.visited_on, Visit.id), after, limit, dealer_column=Visit.dealer_id,
                         dealers=dealers, dealer_id=dealer_id)
    return list((await session.exec(query)).all())


async def list_vehicles(session: AsyncSession, dealers: frozenset[str] | None, *, dealer_id: str | None,
                        customer_id: uuid.UUID | None, after: tuple[datetime, uuid.UUID] | None,
                        limit: int) -> list[Vehicle]:
    query = select(Vehicle)
    if customer_id:  # owned now, or before: a car sold on stays in its former owner's history
        owned = select(Ownership.vehicle_id).where(Ownership.customer_id == customer_id)
        query = query.where(sa.or_(Vehicle.customer_id == customer_id, col(Vehicle.id).in_(owned)))
    query = newest_first(query, (Vehicle.created_at, Vehicle.id), after, limit, dealer_column=Vehicle.dealer_id,
                         dealers=dealers, dealer_id=dealer_id)
    return list((await session.exec(query)).all())


async def ownership_of_many(session: AsyncSession, vehicle_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Ownership]]:
    query = select(Ownership).where(col(Ownership.vehicle_id).in_(vehicle_ids)).order_by(
        Ownership.from_date, Ownership.id)
    found: dict[uuid.UUID, list[Ownership]] = {vehicle_id: [] for vehicle_id in vehicle_ids}
    for ownership in (await session.exec(query)).all():
        found[ownership.vehicle_id].append(ownership)
    return found


async def visits_of(session: AsyncSession, customer_id: uuid.UUID, limit: int) -> list[Visit]:
    query = select(Visit).where(Visit.customer_id == customer_id).order_by(
        col(Visit.visited_on).desc(), col(Visit.id).desc()).limit(limit)
    return list((await session.exec(query)).all())


async def vehicles_of(session: AsyncSession, customer_id: uuid.UUID) -> list[Vehicle]:
    query = select(Vehicle).where(Vehicle.customer_id == customer_id).order_by(Vehicle.created_at)
    return list((await session.exec(query)).all())


async def consent(session: AsyncSession, customer_id: uuid.UUID, purpose: str, channel: str) -> Consent | None:
    return await session.get(Consent, (customer_id, purpose, channel))


async def upsert_consent(session: AsyncSession, row: Consent) -> None:
    await session.merge(row)


async def get_lead(session: AsyncSession, lead_id: uuid.UUID, *, for_update: bool = False) -> Lead | None:
    query = select(Lead).where(Lead.id == lead_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def list_leads(session: AsyncSession, dealers: frozenset[str] | None, *, dealer_id: str | None,
                     converted: bool | None, created_from: datetime | None, created_to: datetime | None,
                     after: Position | None, limit: int) -> list[Lead]:
    query = select(Lead)
    if converted is not None:
        query = query.where(col(Lead.customer_id).is_not(None) if converted else col(Lead.customer_id).is_(None))
    if created_from:
        query = query.where(Lead.created_at >= created_from)
    if created_to:
        query = query.where(Lead.created_at < created_to)
    query = newest_first(query, (Lead.created_at, Lead.id), after, limit, dealer_column=Lead.dealer_id,
                         dealers=dealers, dealer_id=dealer_id)
    return list((await session.exec(query)).all())


async def delete_readings_and_ownership(session: AsyncSession, vehicle_id: uuid.UUID) -> None:
    await session.exec(sa.delete(OdometerReading).where(OdometerReading.vehicle_id == vehicle_id))
    await session.exec(sa.delete(Ownership).where(Ownership.vehicle_id == vehicle_id))
