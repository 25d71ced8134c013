"""Registering and changing vehicles, odometer readings and transfers between owners."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts.events.customer import OdometerRecorded, VehicleRegistered, VehicleTransferred, VehicleUpdated
from crm_customer.domain import Refusal
from crm_customer.domain.vehicles import check_vin, normalise_plate, odometer_refusal
from crm_customer.domain.visits import future_dates
from crm_customer.handlers.common import event, live_customer, new_row, refuse, stage_all, visible
from crm_customer.models import (
    OdometerCreate,
    OdometerReading,
    Ownership,
    TransferRequest,
    Vehicle,
    VehicleCreate,
    VehicleUpdate,
)
from crm_customer.repository import customers as customer_repository
from crm_customer.repository import records as repository
from crm_kit.auth import Principal
from crm_kit.idempotency import answered_with, first_answer
from crm_kit.problems import Problem, not_found
from crm_kit.versioning import check_if_match

FACT_FIELDS = ("brand", "model", "model_year", "delivery_date", "registration_date", "warranty_end",
               "insurance_expiry", "sold_by_dealer")


def normalise_vehicle(given: dict[str, Any], today: date) -> tuple[dict[str, Any], list[Refusal], list[str]]:
    """(values, refusals, warnings) for the keys present in `given`."""
    values, refusals, warnings = dict(given), [], []
    if given.get("vin") is not None:
        try:
            values["vin"], warning = check_vin(given["vin"])
            warnings += [warning] if warning else []
        except ValueError as error:
            refusals.append(("vin", str(error)))
    if given.get("plate") is not None:
        try:
            values["plate"] = normalise_plate(given["plate"])
        except ValueError as error:
            refusals.append(("plate", str(error)))
    refusals += future_dates(today, delivery_date=given.get("delivery_date"),
                             registration_date=given.get("registration_date"))
    return values, refusals, warnings


def facts(vehicle: Vehicle) -> dict[str, Any]:
    return {name: getattr(vehicle, name) for name in FACT_FIELDS}


def registered(vehicle: Vehicle):
    return event(VehicleRegistered(vehicle_id=vehicle.id, customer_id=vehicle.customer_id,
                                   dealer_id=vehicle.dealer_id, registered_at=vehicle.created_at, **facts(vehicle)),
                 vehicle.customer_id, vehicle.dealer_id)


def vehicle_updated(vehicle: Vehicle, changed: list[str]):
    return event(VehicleUpdated(vehicle_id=vehicle.id, customer_id=vehicle.customer_id, dealer_id=vehicle.dealer_id,
                                changed=changed, updated_at=vehicle.updated_at, **facts(vehicle)),
                 vehicle.customer_id, vehicle.dealer_id)


def new_vehicle(values: dict[str, Any], dealer_id: str, now: datetime) -> tuple[Vehicle, Ownership]:
    """New rows, written with `repository.insert`: the vehicle first, then its first ownership."""
    columns = {k: v for k, v in values.items() if k not in ("odometer_km",) and v is not None}
    vehicle = new_row(Vehicle, **columns, dealer_id=dealer_id, created_at=now, updated_at=now)
    ownership = new_row(Ownership, vehicle_id=vehicle.id, customer_id=vehicle.customer_id,
                        from_date=vehicle.delivery_date or now.date())
    return vehicle, ownership


def apply_changes(vehicle: Vehicle, values: dict[str, Any], now: datetime) -> list[str]:
    changed = sorted(name for name, value in values.items() if getattr(vehicle, name) != value)
    for name in changed:
        setattr(vehicle, name, values[name])
    if changed:
        vehicle.version += 1
        vehicle.updated_at = now
    return changed


async def register_vehicle(session: AsyncSession, principal: Principal, data: VehicleCreate,
                           idempotency_key: str | None = None) -> tuple[Vehicle, list[str]]:
    """(the vehicle, warnings about its VIN). A keyed retry answers the vehicle the first request registered."""
    values, refusals, warnings = normalise_vehicle(data.model_dump(), date.today())
    if refusals:
        raise refuse(refusals)
    async with session.begin():
        owner = live_customer(principal, await customer_repository.get_customer(session, data.customer_id))
        if owner.erased_at:
            raise refuse([("customer_id", "this customer was erased")])
        vehicle, ownership = new_vehicle(values, owner.dealer_id, datetime.now(UTC))
        earlier = await first_answer(session, idempotency_key, owner.dealer_id, "POST /vehicles",
                                     data.model_dump(mode="json", exclude_unset=True), vehicle.id)
        if earlier:
            first = await repository.get_vehicle(session, uuid.UUID(earlier.resource_id))
            if first is None:
                raise not_found("vehicle")
            return first, warnings
        existing = (await repository.vehicles_by_vin(session, [values["vin"]])).get(values["vin"])
        if existing:
            raise _vin_taken(principal, existing)
        try:
            await customer_repository.insert(session, Vehicle, [vehicle])
        except IntegrityError:
            raise Problem(409, "Conflict", "A vehicle with this VIN was registered a moment ago.") from None
        await customer_repository.insert(session, Ownership, [ownership])
        await stage_all(session, [registered(vehicle)])
    return vehicle, warnings


def _vin_taken(principal: Principal, existing: Vehicle) -> Problem:
    seen = {"existing_id": str(existing.id)} if principal.sees(existing.dealer_id) else {}
    return Problem(409, "Conflict", "A vehicle with this VIN is registered already.", **seen)


async def read_vehicle(session: AsyncSession, principal: Principal, vehicle_id: uuid.UUID
                       ) -> tuple[Vehicle, list[Ownership]]:
    async with session.begin():
        vehicle = visible(principal, await repository.get_vehicle(session, vehicle_id), "vehicle")
        return vehicle, await repository.ownership_of(session, vehicle.id)


async def list_vehicles(session: AsyncSession, principal: Principal, *, customer_id: uuid.UUID | None,
                        dealer_id: str | None, after: tuple[datetime, uuid.UUID] | None, limit: int
                        ) -> list[tuple[Vehicle, list[Ownership]]]:
    """One page of vehicles (limit + 1 of them), each with its ownership history."""
    async with session.begin():
        vehicles = await repository.list_vehicles(session, principal.dealer_filter(), dealer_id=dealer_id,
                                                  customer_id=customer_id, after=after, limit=limit)
        owners = await repository.ownership_of_many(session, [vehicle.id for vehicle in vehicles])
    return [(vehicle, owners[vehicle.id]) for vehicle in vehicles]


async def update_vehicle(session: AsyncSession, principal: Principal, vehicle_id: uuid.UUID, data: VehicleUpdate,
                         if_match: str | None) -> Vehicle:
    given = data.model_dump(exclude_unset=True)
    nulls = [(name, "cannot be removed") for name in ("brand", "model", "sold_by_dealer")
             if name in given and given[name] is None]
    values, refusals, _ = normalise_vehicle(given, date.today())
    if refusals or nulls:
        raise refuse(nulls + refusals)
    async with session.begin():
        vehicle = visible(principal, await repository.get_vehicle(session, vehicle_id, for_update=True), "vehicle")
        check_if_match(if_match, vehicle.version)
        changed = apply_changes(vehicle, values, datetime.now(UTC))
        if changed:
            customer_repository.add(session, vehicle)
            await stage_all(session, [vehicle_updated(vehicle, changed)])
    return vehicle


def new_reading(vehicle: Vehicle, km: int, read_on: date, correction: bool, now: datetime):
    """The reading (a new row for `repository.insert`), the vehicle's latest figures moved on, and its event."""
    reading = new_row(OdometerReading, vehicle_id=vehicle.id, km=km, read_on=read_on, correction=correction,
                      recorded_at=now)
    vehicle.odometer_km, vehicle.odometer_read_on = km, read_on
    recorded = event(OdometerRecorded(vehicle_id=vehicle.id, customer_id=vehicle.customer_id,
                                      dealer_id=vehicle.dealer_id, km=km, read_on=read_on, correction=correction),
                     vehicle.customer_id, vehicle.dealer_id)
    return reading, recorded


async def record_odometer(session: AsyncSession, principal: Principal, vehicle_id: uuid.UUID,
                          data: OdometerCreate, idempotency_key: str | None = None) -> OdometerReading:
    """A keyed retry answers the reading the first request recorded, before the km rule would refuse it as
    no longer the latest."""
    refusals = future_dates(date.today(), read_on=data.read_on)
    async with session.begin():
        vehicle = visible(principal, await repository.get_vehicle(session, vehicle_id, for_update=True), "vehicle")
        request = f"POST /vehicles/{vehicle_id}/odometer"
        earlier = await first_answer(session, idempotency_key, vehicle.dealer_id, request,
                                     data.model_dump(mode="json", exclude_unset=True), "")
        if earlier:
            first = await repository.get_reading(session, int(earlier.resource_id))
            if first is None:
                raise not_found("odometer reading")
            return first
        refusal = odometer_refusal(data.km, vehicle.odometer_km, data.correction)
        if refusal:
            refusals.append(("km", refusal))
        if refusals:
            raise refuse(refusals)
        reading, recorded = new_reading(vehicle, data.km, data.read_on, data.correction, datetime.now(UTC))
        customer_repository.add(session, vehicle)
        reading.id = await repository.add_reading(session, reading)
        await answered_with(session, idempotency_key, vehicle.dealer_id, reading.id, 201)
        await stage_all(session, [recorded])
    return reading


async def transfer(session: AsyncSession, principal: Principal, vehicle_id: uuid.UUID,
                   data: TransferRequest) -> tuple[Vehicle, list[Ownership]]:
    refusals = future_dates(date.today(), on=data.on)
    async with session.begin():
        vehicle = visible(principal, await repository.get_vehicle(session, vehicle_id, for_update=True), "vehicle")
        new_owner = await customer_repository.get_customer(session, data.to_customer_id)
        if new_owner is None or not principal.sees(new_owner.dealer_id) or new_owner.merged_into is not None \
                or new_owner.dealer_id != vehicle.dealer_id or new_owner.erased_at is not None:
            refusals.append(("to_customer_id", "no such live customer at this vehicle's dealer"))
        elif new_owner.id == vehicle.customer_id:
            refusals.append(("to_customer_id", "already owns this vehicle"))
        current = await repository.current_ownership(session, vehicle.id)
        if current and data.on < current.from_date:
            refusals.append(("on", f"before the current owner's ownership began ({current.from_date})"))
        if refusals:
            raise refuse(refusals)
        previous_owner = vehicle.customer_id
        if current:
            current.to_date = data.on
            customer_repository.add(session, current)
        vehicle.customer_id = new_owner.id
        vehicle.version += 1
        vehicle.updated_at = datetime.now(UTC)
        customer_repository.add(session, vehicle)
        await session.flush()
        await customer_repository.insert(session, Ownership, [new_row(Ownership, vehicle_id=vehicle.id,
                                                                      customer_id=new_owner.id, from_date=data.on)])
        await stage_all(session, [event(VehicleTransferred(
            vehicle_id=vehicle.id, from_customer_id=previous_owner, to_customer_id=new_owner.id,
            dealer_id=vehicle.dealer_id, transferred_on=data.on), new_owner.id, vehicle.dealer_id)])
        await session.flush()
        return vehicle, await repository.ownership_of(session, vehicle.id)
