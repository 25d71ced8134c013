"""One batch of import rows per kind: validate each row like the API would, look up the batch's natural keys
in one query each, then create, update or leave alone. Re-running a file finds every row unchanged."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_customer.domain import Refusal
from crm_customer.domain.contact import InvalidMobile, normalise_mobile
from crm_customer.domain.customers import normalise_customer
from crm_customer.domain.pii import Keyring
from crm_customer.handlers import customers as customer_rules
from crm_customer.handlers import vehicles as vehicle_rules
from crm_customer.handlers import visits as visit_rules
from crm_customer.handlers.common import new_row, stage_all
from crm_customer.models import (
    Customer,
    CustomerCreate,
    ImportRow,
    OdometerReading,
    Ownership,
    Vehicle,
    VehicleCreate,
    Visit,
    VisitCreate,
)
from crm_customer.models.visits import SAME_VISIT_FIELDS
from crm_customer.repository import customers as customer_repository
from crm_customer.repository import records as repository
from crm_kit.problems import field_error

Outcome = dict[str, Any]
CHECKED_TEXT = ("mobile", "email", "id_number", "credit_code")


class VehicleRow(VehicleCreate):
    """A vehicle line names its owner by id or by mobile (a dealer's own system rarely knows our ids)."""

    customer_id: uuid.UUID | None = None
    customer_mobile: str | None = None


class VisitRow(VisitCreate):
    customer_id: uuid.UUID | None = None
    customer_mobile: str | None = None
    vin: str | None = None


def failed(row: ImportRow, refusals: list[Refusal]) -> Outcome:
    return {"line": row.line, "outcome": "failed", "errors": [field_error("body", f, d) for f, d in refusals]}


def parse(model: type[SQLModel], row: ImportRow) -> tuple[Any, list[Refusal]]:
    try:
        return model.model_validate(row.payload), []
    except ValidationError as error:
        return None, [("/".join(str(part) for part in e["loc"]), e["msg"]) for e in error.errors()]


def wrong_dealer(data: Any, dealer_id: str) -> list[Refusal]:
    given = getattr(data, "dealer_id", None)
    return [("dealer_id", f"this import is for {dealer_id}")] if given not in (None, dealer_id) else []


async def customers(session: AsyncSession, keyring: Keyring, dealer_id: str, rows: list[ImportRow]) -> list[Outcome]:
    today, now = date.today(), datetime.now(UTC)
    outcomes: dict[int, Outcome] = {}
    valid: list[tuple[ImportRow, dict[str, Any]]] = []
    for row in rows:
        data, refusals = parse(CustomerCreate, row)
        if data is None:  # still name the fields the domain rules refuse, so one report lists them all
            plain = {k: v for k, v in row.payload.items() if k in CHECKED_TEXT and isinstance(v, str)}
            refusals += [r for r in normalise_customer(plain, "person", today)[1] if r[0] not in dict(refusals)]
        else:
            given = data.model_dump(exclude_unset=True) | {"kind": data.kind}
            values, refusals = normalise_customer(given, data.kind, today)
            refusals += wrong_dealer(data, dealer_id)
        if refusals:
            outcomes[row.line] = failed(row, refusals)
        else:
            valid.append((row, customer_rules.columns_of(values, keyring, dealer_id) | {"kind": data.kind}))
    known = await customer_repository.find_by_keys(
        session, dealer_id, {n for _, c in valid for n in (c["mobile"], *c.get("other_mobiles", []))},
        {c["id_number_hash"] for _, c in valid if c.get("id_number_hash")})
    by_mobile = {number: c for c in known for number in customer_rules.mobiles_of(c)}
    by_hash = {c.id_number_hash: c for c in known if c.id_number_hash}
    events, fresh, renumbered = [], {}, {}
    for row, columns in valid:
        same_mobile, same_id = by_mobile.get(columns["mobile"]), by_hash.get(columns.get("id_number_hash"))
        if same_mobile and same_id and same_mobile.id != same_id.id:
            outcomes[row.line] = failed(row, [("id_number", f"belongs to another customer ({same_id.id})")])
            continue
        match = same_mobile or same_id
        holders = {by_mobile[n].id for n in columns.get("other_mobiles", []) if n in by_mobile} - {
            match.id if match else None}
        if holders:
            outcomes[row.line] = failed(row, [("other_mobiles", f"belongs to another customer ({min(holders)})")])
            continue
        if match is not None and columns["mobile"] in match.other_mobiles:
            del columns["mobile"]  # the row names the customer by another of their numbers: the primary stays
        if match is None:
            customer = customer_rules.new_customer(columns, keyring, dealer_id, now)
            fresh[customer.id] = customer
            events.append(customer_rules.registered(customer))
            outcome = "created"
        else:
            customer = match
            if customer.merged_into or customer.erased_at:
                outcomes[row.line] = failed(row, [("mobile", "that customer was merged or erased")])
                continue
            changed = customer_rules.apply_changes(customer, {k: v for k, v in columns.items() if k != "kind"}, now)
            if changed and customer.id not in fresh:  # a row created earlier in this batch is written below
                customer_repository.add(session, customer)
                events.append(customer_rules.updated(customer, changed))
            if {"mobile", "other_mobiles"} & set(changed):
                renumbered[customer.id] = customer
            outcome = "updated" if changed else "unchanged"
        by_mobile.update(dict.fromkeys(customer_rules.mobiles_of(customer), customer))
        if customer.id_number_hash:
            by_hash[customer.id_number_hash] = customer
        outcomes[row.line] = {"line": row.line, "outcome": outcome, "record_id": str(customer.id)}
    await customer_repository.insert(session, Customer, fresh.values())
    await session.flush()
    await customer_repository.sync_mobiles(session, {**fresh, **renumbered}.values())
    await stage_all(session, events)
    return [outcomes[row.line] for row in rows]


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
    by_id = {}
    ids = [item.customer_id for item in data if item.customer_id]
    for customer_id in set(ids):
        customer = await customer_repository.get_customer(session, customer_id)
        if customer is not None and customer.dealer_id == dealer_id:
            by_id[customer.id] = customer
    by_mobile = {number: c for c in await customer_repository.find_by_keys(session, dealer_id, mobiles, [])
                 for number in customer_rules.mobiles_of(c)}
    return by_id, by_mobile


def _owner(item: Any, by_id: dict, by_mobile: dict) -> Customer | None:
    owner = by_id.get(item.customer_id) if item.customer_id else by_mobile.get(item.customer_mobile)
    return owner if owner is not None and owner.merged_into is None and owner.erased_at is None else None


async def vehicles(session: AsyncSession, keyring: Keyring, dealer_id: str, rows: list[ImportRow]) -> list[Outcome]:
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
                             "no such live customer at this dealer"))
        if refusals:
            outcomes[row.line] = failed(row, refusals)
        else:
            checked.append((row, values | {"customer_id": owner.id}, warnings))
    known = await repository.vehicles_by_vin(session, [values["vin"] for _, values, _ in checked])
    events, fresh, ownerships = [], [], []
    for row, values, warnings in checked:
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
                              "warnings": warnings}
    await customer_repository.insert(session, Vehicle, fresh)
    await customer_repository.insert(session, Ownership, ownerships)
    await session.flush()
    await stage_all(session, events)
    return [outcomes[row.line] for row in rows]


async def visits(session: AsyncSession, keyring: Keyring, dealer_id: str, rows: list[ImportRow]) -> list[Outcome]:
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
    by_vin = await repository.vehicles_by_vin(session, {data.vin.strip().upper() for _, data in parsed if data.vin})
    by_vehicle_id = await repository.vehicles_by_id(session, {data.vehicle_id for _, data in parsed if data.vehicle_id})
    stored = await repository.visits_by_order(session, dealer_id, {data.order_number for _, data in parsed})
    events, fresh, readings = [], [], []
    for row, data in parsed:
        refusals = visit_rules.visit_refusals(data.kind, data.subkind, data.visited_on, today)
        customer = _owner(data, by_id, by_mobile)
        if customer is None:
            refusals.append(("customer_id" if data.customer_id else "customer_mobile",
                             "no such live customer at this dealer"))
        vehicle: Vehicle | None = by_vin.get(data.vin.strip().upper()) if data.vin else by_vehicle_id.get(
            data.vehicle_id) if data.vehicle_id else None
        if (data.vin or data.vehicle_id) and (vehicle is None or vehicle.dealer_id != dealer_id):
            refusals.append(("vin" if data.vin else "vehicle_id", "no such vehicle at this dealer"))
        if refusals:
            outcomes[row.line] = failed(row, refusals)
            continue
        values = data.model_dump(include=set(VisitCreate.model_fields)) | {
            "customer_id": customer.id, "vehicle_id": vehicle.id if vehicle else None}
        existing = stored.get(data.order_number)
        if existing is not None:
            same = all(getattr(existing, name) == values.get(name) for name in SAME_VISIT_FIELDS)
            outcomes[row.line] = ({"line": row.line, "outcome": "unchanged", "record_id": str(existing.id)} if same
                                  else failed(row, [("order_number", "recorded already with different details")]))
            continue
        visit = new_row(Visit, **values, dealer_id=dealer_id, recorded_at=now)
        stored[visit.order_number] = visit
        fresh.append(visit)
        new_readings, visit_events = visit_rules.visit_effects(visit, vehicle, now)
        if new_readings:
            customer_repository.add(session, vehicle)
            readings += new_readings
        events += visit_events
        outcomes[row.line] = {"line": row.line, "outcome": "created", "record_id": str(visit.id)}
    await customer_repository.insert(session, Visit, fresh)
    await customer_repository.insert(session, OdometerReading, readings)
    await session.flush()
    await stage_all(session, events)
    return [outcomes[row.line] for row in rows]
