"""One batch of vehicle or visit rows: each line names its customer (by id or mobile) and a visit its vehicle (by
id or VIN); the batch's customers, vehicles and stored visits are looked up in one query each, new rows written
with one COPY per table, and the events handed back to be staged in one COPY (see `handlers.imports`)."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts import Envelope
from crm_customer.domain.contact import InvalidMobile, normalise_mobile
from crm_customer.domain.pii import Keyring
from crm_customer.handlers import vehicles as vehicle_rules
from crm_customer.handlers import visits as visit_rules
from crm_customer.handlers.common import new_row
from crm_customer.handlers.import_rows import Outcome, Staged, failed, parse
from crm_customer.models import OdometerReading, Ownership, Vehicle, VehicleCreate, Visit, VisitCreate
from crm_customer.models.visits import SAME_VISIT_FIELDS
from crm_customer.repository import customers as customer_repository
from crm_customer.repository import imports as import_repository
from crm_customer.repository import records as repository
from crm_customer.repository.imports import Owner
from crm_kit.problem_texts import Worded


class VehicleRow(VehicleCreate):
    """A vehicle line names its owner by id or by mobile (a dealer's own system rarely knows our ids)."""

    customer_id: uuid.UUID | None = None
    customer_mobile: str | None = None


class VisitRow(VisitCreate):
    customer_id: uuid.UUID | None = None
    customer_mobile: str | None = None
    vin: str | None = None


async def _owners(session: AsyncSession, dealer_id: str, data: list[Any]) -> tuple[dict, dict]:
    """The batch's customers by id and by mobile, this dealer's only."""
    mobiles = set()
    for item in data:
        if item.customer_mobile:
            try:
                item.customer_mobile = normalise_mobile(item.customer_mobile)
                mobiles.add(item.customer_mobile)
            except InvalidMobile:
                item.customer_mobile = None
    return await import_repository.owners(session, dealer_id, {item.customer_id for item in data if item.customer_id},
                                          mobiles)


def _owner(item: Any, by_id: dict, by_mobile: dict) -> Owner | None:
    owner = by_id.get(item.customer_id) if item.customer_id else by_mobile.get(item.customer_mobile)
    return owner if owner is not None and owner.merged_into is None and owner.erased_at is None else None


async def vehicles(session: AsyncSession, keyring: Keyring, dealer_id: str, rows: list[Staged]
                   ) -> tuple[list[Outcome], list[Envelope]]:
    today, now = date.today(), datetime.now(UTC)
    outcomes: dict[int, Outcome] = {}
    parsed = []
    for row in rows:
        data, refusals = parse(VehicleRow, row)
        if data is None:
            outcomes[row.line] = failed(row, refusals)
        else:
            parsed.append((row, data))
    by_id, by_mobile = await _owners(session, dealer_id, [data for _, data in parsed])
    checked = []
    for row, data in parsed:
        values, refusals, warnings = vehicle_rules.normalise_vehicle(
            data.model_dump(exclude_unset=True, exclude={"customer_id", "customer_mobile"}), today)
        owner = _owner(data, by_id, by_mobile)
        if owner is None:
            refusals.append(("customer_id" if data.customer_id else "customer_mobile",
                             Worded("import_no_customer", "no such live customer at this dealer")))
        if refusals:
            outcomes[row.line] = failed(row, refusals)
        else:
            checked.append((row, values | {"customer_id": owner.id}, warnings, owner))
    known = await repository.vehicles_by_vin(session, [values["vin"] for _, values, _, _ in checked])
    events, fresh, ownerships = [], [], []
    for row, values, warnings, owner in checked:
        vehicle = known.get(values["vin"])
        if vehicle is None:
            vehicle, ownership = vehicle_rules.new_vehicle(values, dealer_id, now)
            fresh.append(vehicle)
            ownerships.append(ownership)
            known[vehicle.vin] = vehicle
            events.append(vehicle_rules.registered(vehicle))
            outcome = "created"
        elif vehicle.dealer_id != dealer_id:
            outcomes[row.line] = failed(row, [("vin", "registered at another dealer")])
            continue
        elif vehicle.customer_id != values["customer_id"]:
            outcomes[row.line] = failed(row, [("customer_id", "the vehicle belongs to another customer: "
                                                              "transfer it instead")])
            continue
        else:
            changes = {k: v for k, v in values.items() if k not in ("vin", "customer_id")}
            changed = vehicle_rules.apply_changes(vehicle, changes, now)
            if changed and vehicle not in fresh:
                customer_repository.add(session, vehicle)
                events.append(vehicle_rules.vehicle_updated(vehicle, changed))
            outcome = "updated" if changed else "unchanged"
        outcomes[row.line] = {"line": row.line, "outcome": outcome, "record_id": str(vehicle.id),
                              "warnings": warnings, "version": vehicle.version, "owner_version": owner.version}
    await import_repository.copy_rows(session, Vehicle, fresh)
    await import_repository.copy_rows(session, Ownership, ownerships)
    await session.flush()
    return [outcomes[row.line] for row in rows], events


async def visits(session: AsyncSession, keyring: Keyring, dealer_id: str, rows: list[Staged]
                 ) -> tuple[list[Outcome], list[Envelope]]:
    today, now = date.today(), datetime.now(UTC)
    outcomes: dict[int, Outcome] = {}
    parsed = []
    for row in rows:
        data, refusals = parse(VisitRow, row)
        if data is None:
            outcomes[row.line] = failed(row, refusals)
        else:
            parsed.append((row, data))
    by_id, by_mobile = await _owners(session, dealer_id, [data for _, data in parsed])
    by_vin, by_vehicle_id = await import_repository.visited_vehicles(
        session, {data.vin.strip().upper() for _, data in parsed if data.vin},
        {data.vehicle_id for _, data in parsed if data.vehicle_id})
    stored = await repository.visits_by_order(session, dealer_id, {data.order_number for _, data in parsed})
    events, fresh, readings, moved = [], [], [], {}
    for row, data in parsed:
        refusals = visit_rules.visit_refusals(data.kind, data.subkind, data.visited_on, today)
        customer = _owner(data, by_id, by_mobile)
        if customer is None:
            refusals.append(("customer_id" if data.customer_id else "customer_mobile",
                             Worded("import_no_customer", "no such live customer at this dealer")))
        vehicle = by_vin.get(data.vin.strip().upper()) if data.vin else by_vehicle_id.get(
            data.vehicle_id) if data.vehicle_id else None
        if (data.vin or data.vehicle_id) and (vehicle is None or vehicle.dealer_id != dealer_id):
            refusals.append(("vin" if data.vin else "vehicle_id",
                             Worded("import_no_vehicle", "no such vehicle at this dealer")))
        if refusals:
            outcomes[row.line] = failed(row, refusals)
            continue
        values = data.model_dump(include=set(VisitCreate.model_fields)) | {
            "customer_id": customer.id, "vehicle_id": vehicle.id if vehicle else None}
        existing = stored.get(data.order_number)
        if existing is not None:
            same = all(getattr(existing, name) == values.get(name) for name in SAME_VISIT_FIELDS)
            outcomes[row.line] = ({"line": row.line, "outcome": "unchanged", "record_id": str(existing.id),
                                   "version": 0, "owner_version": customer.version} if same
                                  else failed(row, [("order_number", "recorded already with different details")]))
            continue
        visit = new_row(Visit, **values, dealer_id=dealer_id, recorded_at=now)
        stored[visit.order_number] = visit
        fresh.append(visit)
        new_readings, visit_events = visit_rules.visit_effects(visit, vehicle, now)
        if new_readings:
            moved[vehicle.id] = vehicle
            readings += new_readings
        events += visit_events
        outcomes[row.line] = {"line": row.line, "outcome": "created", "record_id": str(visit.id), "version": 0,
                              "owner_version": customer.version}
    await import_repository.copy_rows(session, Visit, fresh)
    await import_repository.copy_rows(session, OdometerReading, readings)
    await import_repository.move_odometers(session, moved.values())
    return [outcomes[row.line] for row in rows], events
