"""Queries about customers, their search and the PII access log."""

import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_customer.models import (
    Consent,
    ConsentChange,
    Customer,
    CustomerMobile,
    Lead,
    Ownership,
    PiiAccess,
    Vehicle,
    Visit,
)


async def get_customer(session: AsyncSession, customer_id: uuid.UUID, *, for_update: bool = False) -> Customer | None:
    query = select(Customer).where(Customer.id == customer_id)
    if for_update:
        query = query.with_for_update()
    return (await session.exec(query)).first()


def _holding(dealer_id: str, mobiles: Iterable[str]):
    """Ids of the dealer's customers with any of these numbers, primary or other."""
    return select(CustomerMobile.customer_id).where(CustomerMobile.dealer_id == dealer_id,
                                                    col(CustomerMobile.mobile).in_(list(mobiles)))


async def find_duplicate(session: AsyncSession, dealer_id: str, *, mobiles: Iterable[str], id_hash: str | None,
                         other_than: uuid.UUID | None = None) -> Customer | None:
    keys = []
    mobiles = [mobile for mobile in mobiles if mobile]
    if mobiles:
        keys.append(col(Customer.id).in_(_holding(dealer_id, mobiles)))
    if id_hash:
        keys.append(Customer.id_number_hash == id_hash)
    if not keys:
        return None
    query = select(Customer).where(Customer.dealer_id == dealer_id, sa.or_(*keys))
    if other_than:
        query = query.where(Customer.id != other_than)
    return (await session.exec(query.order_by(Customer.created_at))).first()


async def find_by_keys(session: AsyncSession, dealer_id: str, mobiles: Iterable[str],
                       hashes: Iterable[str]) -> list[Customer]:
    """Two index lookups rather than one OR, which PostgreSQL answers by scanning every customer."""
    mobiles, hashes = list(mobiles), list(hashes)
    found: dict[uuid.UUID, Customer] = {}
    if mobiles:
        query = select(Customer).where(col(Customer.id).in_(_holding(dealer_id, mobiles)))
        found.update((c.id, c) for c in (await session.exec(query)).all())
    if hashes:
        query = select(Customer).where(Customer.dealer_id == dealer_id, col(Customer.id_number_hash).in_(hashes))
        found.update((c.id, c) for c in (await session.exec(query)).all())
    return list(found.values())


async def sync_mobiles(session: AsyncSession, customers: Iterable[Customer]) -> None:
    """Make `customer_mobiles` say what these customers' mobile and other_mobiles say. A number another
    customer of the dealer holds raises IntegrityError. Customers that give up a number come first, so that
    a merge can hand the duplicate's numbers to the survivor."""
    customers = list(customers)
    if not customers:
        return
    await session.exec(sa.delete(CustomerMobile).where(col(CustomerMobile.customer_id).in_([c.id for c in customers])))
    rows = [{"dealer_id": c.dealer_id, "mobile": number, "customer_id": c.id}
            for c in customers for number in dict.fromkeys([c.mobile, *c.other_mobiles]) if number]
    if rows:
        connection = await session.connection()
        await connection.execute(CustomerMobile.__table__.insert(), rows)


def add(session: AsyncSession, *rows: Any) -> None:
    session.add_all(rows)


async def insert(session: AsyncSession, model: type[SQLModel], rows: Iterable[Any]) -> None:
    """New rows (plain objects from `handlers.common.new_row`) in one statement; an identity id left None is
    the database's to assign."""
    values = [{k: v for k, v in vars(row).items() if not (k == "id" and v is None)} for row in rows]
    if values:
        connection = await session.connection()
        await connection.execute(model.__table__.insert(), values)


async def has_history(session: AsyncSession, customer_id: uuid.UUID) -> bool:
    vehicles = select(Vehicle.id).where(Vehicle.customer_id == customer_id).limit(1)
    visits = select(Visit.id).where(Visit.customer_id == customer_id).limit(1)
    return bool((await session.exec(vehicles)).first() or (await session.exec(visits)).first())


async def delete_customer(session: AsyncSession, customer: Customer) -> None:
    await session.exec(sa.delete(Consent).where(Consent.customer_id == customer.id))
    await session.exec(sa.update(Lead).where(Lead.customer_id == customer.id).values(customer_id=None))
    await session.delete(customer)


async def move_records(session: AsyncSession, duplicate_id: uuid.UUID, survivor_id: uuid.UUID) -> list[uuid.UUID]:
    """Vehicles, ownership history, visits and leads follow the survivor; returns the moved vehicle ids."""
    moved = (await session.exec(sa.update(Vehicle).where(Vehicle.customer_id == duplicate_id)
                                .values(customer_id=survivor_id).returning(Vehicle.id))).scalars().all()
    await session.exec(sa.update(Ownership).where(Ownership.customer_id == duplicate_id)
                       .values(customer_id=survivor_id))
    await session.exec(sa.update(Visit).where(Visit.customer_id == duplicate_id).values(customer_id=survivor_id))
    await session.exec(sa.update(Lead).where(Lead.customer_id == duplicate_id).values(customer_id=survivor_id))
    return sorted(moved)


async def forget_personal_traces(session: AsyncSession, customer_id: uuid.UUID) -> None:
    """What else names or identifies an erased person: leads, plates, consent evidence."""
    await session.exec(sa.update(Lead).where(Lead.customer_id == customer_id).values(
        name="(erased)", mobile=None, id_number_cipher=None, id_number_key=None, id_number_hash=None))
    await session.exec(sa.update(Vehicle).where(Vehicle.customer_id == customer_id).values(plate=None))
    await session.exec(sa.update(ConsentChange).where(ConsentChange.customer_id == customer_id).values(evidence=None))


async def consents_of(session: AsyncSession, customer_id: uuid.UUID) -> list[Consent]:
    query = select(Consent).where(Consent.customer_id == customer_id).order_by(Consent.purpose, Consent.channel)
    return list((await session.exec(query)).all())


async def delete_consents(session: AsyncSession, customer_id: uuid.UUID) -> None:
    await session.exec(sa.delete(Consent).where(Consent.customer_id == customer_id))


def _filtered(dealers: frozenset[str] | None, filters: dict[str, Any]):
    query = select(Customer).where(col(Customer.merged_into).is_(None))
    if dealers is not None:
        query = query.where(col(Customer.dealer_id).in_(dealers))
    if filters.get("dealer_id"):
        query = query.where(Customer.dealer_id == filters["dealer_id"])
    if filters.get("name"):
        prefix = filters["name"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(col(Customer.name).like(prefix + "%"))
    if filters.get("mobile"):
        holders = select(CustomerMobile.customer_id).where(CustomerMobile.mobile == filters["mobile"])
        query = query.where(col(Customer.id).in_(holders))
    if filters.get("tag"):
        query = query.where(col(Customer.tags).contains([filters["tag"]]))
    if filters.get("status"):
        query = query.where(Customer.status == filters["status"])
    if filters.get("created_from"):
        query = query.where(Customer.created_at >= filters["created_from"])
    if filters.get("created_to"):
        query = query.where(Customer.created_at < filters["created_to"])
    owners = select(Vehicle.customer_id)
    if filters.get("vin"):
        query = query.where(col(Customer.id).in_(owners.where(Vehicle.vin == filters["vin"])))
    if filters.get("plate"):
        query = query.where(col(Customer.id).in_(owners.where(Vehicle.plate == filters["plate"])))
    return query


SORTS = {"created_at": Customer.created_at, "name": Customer.name}


async def search(session: AsyncSession, dealers: frozenset[str] | None, filters: dict[str, Any], *,
                 sort: str, limit: int, after: tuple | None) -> list[Customer]:
    """Keyset pagination on (sort key, id); `sort` is a key of SORTS, '-' first for descending."""
    descending = sort.startswith("-")
    key = SORTS[sort.lstrip("-")]
    query = _filtered(dealers, filters)
    if after is not None:
        position = sa.tuple_(key, Customer.id)
        bound = sa.tuple_(sa.literal(after[0]), sa.literal(after[1]))
        query = query.where(position < bound if descending else position > bound)
    order = (key.desc(), col(Customer.id).desc()) if descending else (key, Customer.id)
    return list((await session.exec(query.order_by(*order).limit(limit + 1))).all())


async def stream_customers(session: AsyncSession, dealers: frozenset[str] | None,
                           filters: dict[str, Any]) -> AsyncIterator[Customer]:
    """A server-side cursor: an export of any size holds one batch in memory at a time."""
    query = _filtered(dealers, filters).order_by(Customer.created_at, Customer.id)
    result = await session.stream_scalars(query.execution_options(yield_per=1000))
    async for customer in result:
        yield customer


def log_access(session: AsyncSession, entries: list[PiiAccess]) -> None:
    session.add_all(entries)


async def access_log(session: AsyncSession, dealers: frozenset[str] | None, *, customer_id: uuid.UUID | None,
                     principal: str | None, since: datetime | None, until: datetime | None, limit: int,
                     after: int | None) -> list[PiiAccess]:
    query = select(PiiAccess)
    if since is not None:
        query = query.where(col(PiiAccess.at) >= since)
    if until is not None:
        query = query.where(col(PiiAccess.at) < until)
    if dealers is not None:
        query = query.where(col(PiiAccess.dealer_id).in_(dealers))
    if customer_id:
        query = query.where(PiiAccess.customer_id == customer_id)
    if principal:
        query = query.where(PiiAccess.principal == principal)
    if after is not None:
        query = query.where(col(PiiAccess.id) < after)
    return list((await session.exec(query.order_by(col(PiiAccess.id).desc()).limit(limit + 1))).all())
