"""Profiles, vehicle profiles, visits and odometer readings."""

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_segmentation.models import OdometerReading, Profile, VehicleProfile, Visit


async def get_profile(session: AsyncSession, customer_id: uuid.UUID, *, lock: bool = False) -> Profile | None:
    query = select(Profile).where(Profile.customer_id == customer_id).execution_options(populate_existing=True)
    if lock:
        query = query.with_for_update()
    return (await session.exec(query)).first()


async def lock_profiles(session: AsyncSession, ids: list[uuid.UUID]) -> list[Profile]:
    """In id order, so two transactions locking overlapping sets wait for each other instead of deadlocking."""
    query = (select(Profile).where(col(Profile.customer_id).in_(ids)).order_by(col(Profile.customer_id))
             .with_for_update().execution_options(populate_existing=True))
    return list((await session.exec(query)).all())


async def ensure_profile(session: AsyncSession, customer_id: uuid.UUID, dealer_id: str) -> None:
    """Events may arrive for a customer whose registration has not: start an empty profile."""
    await session.exec(insert(Profile).values(customer_id=customer_id, dealer_id=dealer_id,
                                              updated_at=datetime.now(UTC), churn_reasons=[])
                       .on_conflict_do_nothing())


async def ensure_profiles(session: AsyncSession, rows: list[dict]) -> None:
    """Start the profiles not there yet (rows of customer_id, dealer_id). Existing ones are looked up first
    with a plain read: an insert that meets a row a dealer's rescore is updating would wait for the whole
    rescore, and the consumer with it."""
    known = await _existing(session, Profile.__table__.c.customer_id, [row["customer_id"] for row in rows])
    rows = [row for row in rows if row["customer_id"] not in known]
    if rows:
        now = datetime.now(UTC)
        await session.exec(insert(Profile.__table__).values([{**row, "updated_at": now, "churn_reasons": []}
                                                             for row in rows]).on_conflict_do_nothing())


async def _existing(session: AsyncSession, key: sa.Column, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    if not ids:
        return set()
    return set((await session.exec(sa.select(key).where(key.in_(ids)))).scalars())


async def set_profiles_fields(session: AsyncSession, fields: dict[uuid.UUID, dict]) -> None:
    """Each customer's fields; one executemany per set of field names (registrations, updates, ...)."""
    by_names: dict[tuple, list[dict]] = {}
    for customer_id, values in fields.items():
        by_names.setdefault(tuple(sorted(values)), []).append({"customer_id": customer_id, **values})
    for rows in by_names.values():
        await save_profiles(session, rows)


async def set_profile_fields(session: AsyncSession, customer_id: uuid.UUID, **fields) -> None:
    await session.exec(sa.update(Profile).where(col(Profile.customer_id) == customer_id)
                       .values(**fields, updated_at=datetime.now(UTC)))


async def save_profiles(session: AsyncSession, rows: list[dict]) -> None:
    """Many profiles' fields in one executemany; every row has `customer_id` and the same other keys."""
    if not rows:
        return
    table = Profile.__table__
    now = datetime.now(UTC)
    await session.exec(table.update().where(table.c.customer_id == sa.bindparam("key")),
                       params=[{**{k: v for k, v in row.items() if k != "customer_id"}, "key": row["customer_id"],
                                "updated_at": now} for row in rows])


async def list_profiles(session: AsyncSession, dealers: frozenset[str] | None, limit: int,
                        after: uuid.UUID | None) -> list[Profile]:
    query = select(Profile).where(col(Profile.merged_into).is_(None)).order_by(col(Profile.customer_id)).limit(limit)
    if dealers is not None:
        query = query.where(col(Profile.dealer_id).in_(dealers))
    if after is not None:
        query = query.where(col(Profile.customer_id) > after)
    return list((await session.exec(query)).all())


async def dealer_profiles(session: AsyncSession, dealer_id: str, *, lock: bool = False) -> list[Profile]:
    """With `lock`, events about these customers wait for the batch (else it could overwrite them with
    what it read before they arrived)."""
    query = (select(Profile).where(Profile.dealer_id == dealer_id, col(Profile.merged_into).is_(None))
             .order_by(col(Profile.customer_id)).execution_options(populate_existing=True))
    if lock:
        query = query.with_for_update()
    return list((await session.exec(query)).all())


async def profiles_by_ids(session: AsyncSession, ids: Iterable[uuid.UUID]) -> list[Profile]:
    query = select(Profile).where(col(Profile.customer_id).in_(list(ids))).execution_options(populate_existing=True)
    return list((await session.exec(query)).all())


async def add_visits(session: AsyncSession, rows: list[dict]) -> None:
    """One executemany; a replayed visit (its id stored already) is skipped."""
    if rows:
        await session.exec(insert(Visit.__table__).on_conflict_do_nothing(), params=rows)


async def visits_of_customers(session: AsyncSession, customer_ids: list[uuid.UUID]) -> list[Visit]:
    return list((await session.exec(select(Visit).where(col(Visit.customer_id).in_(customer_ids)))).all())


async def visits_of_vehicles(session: AsyncSession, vehicle_ids: list[uuid.UUID]) -> list[Visit]:
    """A vehicle's service history stays with the vehicle when it changes owners."""
    if not vehicle_ids:
        return []
    return list((await session.exec(select(Visit).where(col(Visit.vehicle_id).in_(vehicle_ids)))).all())


async def dealer_visit_days(session: AsyncSession, dealers: frozenset[str] | None, since, until) -> list[tuple]:
    """(vehicle, day) for every visit with a vehicle in [since, until)."""
    query = (select(Visit.vehicle_id, Visit.visited_on)
             .where(col(Visit.vehicle_id).is_not(None), Visit.visited_on >= since, Visit.visited_on < until))
    if dealers is not None:
        query = query.where(col(Visit.dealer_id).in_(dealers))
    return list((await session.exec(query)).all())


async def upsert_vehicle(session: AsyncSession, vehicle_id: uuid.UUID, **fields) -> None:
    values = {"vehicle_id": vehicle_id, **fields, "updated_at": datetime.now(UTC)}
    statement = insert(VehicleProfile).values(**values)
    await session.exec(statement.on_conflict_do_update(
        index_elements=[VehicleProfile.vehicle_id],
        set_={k: statement.excluded[k] for k in values if k != "vehicle_id"}))


async def ensure_vehicles(session: AsyncSession, rows: list[dict]) -> None:
    """Start the vehicles not there yet (rows of vehicle_id, customer_id, dealer_id, delivery_date); existing
    ones are looked up first, as in `ensure_profiles`."""
    known = await _existing(session, VehicleProfile.__table__.c.vehicle_id, [row["vehicle_id"] for row in rows])
    rows = [row for row in rows if row["vehicle_id"] not in known]
    if rows:
        now = datetime.now(UTC)
        await session.exec(insert(VehicleProfile.__table__).values([{**row, "updated_at": now} for row in rows])
                           .on_conflict_do_nothing())


async def upsert_vehicles(session: AsyncSession, fields: dict[uuid.UUID, dict]) -> None:
    """Insert or update each vehicle's fields; one statement per set of field names."""
    table = VehicleProfile.__table__
    by_names: dict[tuple, list[dict]] = {}
    now = datetime.now(UTC)
    for vehicle_id, values in fields.items():
        by_names.setdefault(tuple(sorted(values)), []).append({"vehicle_id": vehicle_id, **values, "updated_at": now})
    for names, rows in by_names.items():
        statement = insert(table).values(rows)
        await session.exec(statement.on_conflict_do_update(
            index_elements=[table.c.vehicle_id],
            set_={name: statement.excluded[name] for name in (*names, "updated_at")}))


async def vehicles_of(session: AsyncSession, customer_id: uuid.UUID) -> list[VehicleProfile]:
    query = (select(VehicleProfile).where(VehicleProfile.customer_id == customer_id)
             .order_by(col(VehicleProfile.vehicle_id)).execution_options(populate_existing=True))
    return list((await session.exec(query)).all())


async def vehicles_of_customers(session: AsyncSession, customer_ids: list[uuid.UUID]) -> list[VehicleProfile]:
    query = (select(VehicleProfile).where(col(VehicleProfile.customer_id).in_(customer_ids))
             .order_by(col(VehicleProfile.vehicle_id)).execution_options(populate_existing=True))
    return list((await session.exec(query)).all())


async def save_vehicle_states(session: AsyncSession, rows: list[dict]) -> None:
    """Many vehicles' computed fields in one executemany; every row has `vehicle_id` and the same other keys."""
    if not rows:
        return
    table = VehicleProfile.__table__
    now = datetime.now(UTC)
    await session.exec(table.update().where(table.c.vehicle_id == sa.bindparam("key")),
                       params=[{**{k: v for k, v in row.items() if k != "vehicle_id"}, "key": row["vehicle_id"],
                                "updated_at": now} for row in rows])


async def dealer_vehicles(session: AsyncSession, dealers: frozenset[str] | None) -> list[VehicleProfile]:
    query = select(VehicleProfile).join(Profile, col(Profile.customer_id) == col(VehicleProfile.customer_id))
    query = query.where(col(Profile.erased).is_(False))
    if dealers is not None:
        query = query.where(col(VehicleProfile.dealer_id).in_(dealers))
    return list((await session.exec(query)).all())


async def dealer_fleet(session: AsyncSession, dealers: frozenset[str] | None) -> tuple[list[tuple], list[tuple]]:
    """The dates a KPI history is computed from: (vehicle, dealer, delivered, sold by the dealer) of every
    delivered vehicle of a live customer, and (vehicle, day) of each of their service visits."""
    vehicles = (select(VehicleProfile.vehicle_id, VehicleProfile.dealer_id, VehicleProfile.delivery_date,
                       VehicleProfile.sold_by_dealer)
                .join(Profile, col(Profile.customer_id) == col(VehicleProfile.customer_id))
                .where(col(Profile.erased).is_(False), col(VehicleProfile.delivery_date).is_not(None)))
    if dealers is not None:
        vehicles = vehicles.where(col(VehicleProfile.dealer_id).in_(dealers))
    fleet = vehicles.subquery()
    services = (select(Visit.vehicle_id, Visit.visited_on).join(fleet, fleet.c.vehicle_id == col(Visit.vehicle_id))
                .where(Visit.kind == "service"))
    return list((await session.exec(vehicles)).all()), list((await session.exec(services)).all())


async def add_readings(session: AsyncSession, rows: list[dict]) -> None:
    """One executemany, in the given order: a reading's id orders it after the ones before (corrections)."""
    if rows:
        await session.exec(insert(OdometerReading.__table__), params=rows)


async def readings_of(session: AsyncSession, vehicle_ids: list[uuid.UUID]) -> list[OdometerReading]:
    if not vehicle_ids:
        return []
    query = select(OdometerReading).where(col(OdometerReading.vehicle_id).in_(vehicle_ids))
    return list((await session.exec(query.order_by(col(OdometerReading.id)))).all())


async def move_customer_data(session: AsyncSession, duplicate: uuid.UUID, survivor: uuid.UUID) -> None:
    """A merge: the duplicate's visits and vehicles now belong to the survivor."""
    await session.exec(sa.update(Visit).where(col(Visit.customer_id) == duplicate).values(customer_id=survivor))
    await session.exec(sa.update(VehicleProfile).where(col(VehicleProfile.customer_id) == duplicate)
                       .values(customer_id=survivor))


async def dealer_visits(session: AsyncSession, dealer_id: str) -> list[Visit]:
    """Every visit of the dealer's customers and of the vehicles they own now (for the batch)."""
    owned = select(VehicleProfile.vehicle_id).where(VehicleProfile.dealer_id == dealer_id)
    query = select(Visit).where(sa.or_(col(Visit.dealer_id) == dealer_id, col(Visit.vehicle_id).in_(owned)))
    return list((await session.exec(query)).all())


async def dealer_vehicle_profiles(session: AsyncSession, dealer_id: str) -> list[VehicleProfile]:
    query = (select(VehicleProfile).where(VehicleProfile.dealer_id == dealer_id)
             .order_by(col(VehicleProfile.vehicle_id)).execution_options(populate_existing=True))
    return list((await session.exec(query)).all())


async def dealer_readings(session: AsyncSession, dealer_id: str) -> list[OdometerReading]:
    owned = select(VehicleProfile.vehicle_id).where(VehicleProfile.dealer_id == dealer_id)
    query = select(OdometerReading).where(col(OdometerReading.vehicle_id).in_(owned))
    return list((await session.exec(query.order_by(col(OdometerReading.id)))).all())


async def dealers_with_profiles(session: AsyncSession) -> list[str]:
    return list((await session.exec(select(Profile.dealer_id).distinct())).all())


async def ensure_vehicle(session: AsyncSession, vehicle_id: uuid.UUID, customer_id: uuid.UUID, dealer_id: str,
                         **facts) -> None:
    """A visit or reading may name a vehicle before its registration arrives."""
    await session.exec(insert(VehicleProfile).values(
        vehicle_id=vehicle_id, customer_id=customer_id, dealer_id=dealer_id, updated_at=datetime.now(UTC),
        **facts).on_conflict_do_nothing())


async def live_profiles(session: AsyncSession, dealers: frozenset[str] | None) -> list[Profile]:
    query = select(Profile).where(col(Profile.merged_into).is_(None), col(Profile.erased).is_(False))
    if dealers is not None:
        query = query.where(col(Profile.dealer_id).in_(dealers))
    return list((await session.exec(query)).all())
