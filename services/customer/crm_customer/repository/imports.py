"""Import jobs: staging rows as they stream in (COPY), claiming work, recognising rows seen before by their
fingerprint, and recording a whole batch's outcomes in one statement."""

import json
import operator
import uuid
from collections.abc import Iterable
from datetime import datetime
from types import SimpleNamespace
from typing import Any, NamedTuple

import asyncpg
import sqlalchemy as sa
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_customer.models import ImportJob, ImportRow
from crm_customer.repository.records import Position
from crm_kit.pagination import newest_first

STAGED_COLUMNS = ("job_id", "line", "payload", "outcome", "errors")

# A fingerprint still holds while the record it wrote is at the version it had then, and (vehicles, visits) its
# owner is live and at the version it had then: any change in between sends the row through validation again.
_STILL_HOLDS = {
    "customers": """JOIN customers c ON c.id = f.record_id AND c.version = f.record_version""",
    "vehicles": """JOIN vehicles v ON v.id = f.record_id AND v.version = f.record_version
                   JOIN customers c ON c.id = v.customer_id AND c.version = f.owner_version""",
    "visits": """JOIN visits v ON v.id = f.record_id
                 JOIN customers c ON c.id = v.customer_id AND c.version = f.owner_version""",
}


async def driver(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under the session, inside the session's transaction (COPY and array binds)."""
    connection = await session.connection()
    await connection.exec_driver_sql("SELECT 1")  # SQLAlchemy opens the transaction on the first statement
    return (await connection.get_raw_connection()).driver_connection


async def stage_rows(session: AsyncSession, rows: list[tuple]) -> None:
    """Rows as (job_id, line, payload JSON text, outcome, errors JSON text), in one COPY."""
    if rows:
        await (await driver(session)).copy_records_to_table("import_rows", records=rows, columns=STAGED_COLUMNS)


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> ImportJob | None:
    return await session.get(ImportJob, job_id)


async def list_jobs(session: AsyncSession, dealers: frozenset[str] | None, *, dealer_id: str | None,
                    status: str | None, after: Position | None, limit: int) -> list[ImportJob]:
    query = select(ImportJob)
    if status:
        query = query.where(ImportJob.status == status)
    query = newest_first(query, (ImportJob.created_at, ImportJob.id), after, limit,
                         dealer_column=ImportJob.dealer_id, dealers=dealers, dealer_id=dealer_id)
    return list((await session.exec(query)).all())


async def claim_job(session: AsyncSession) -> ImportJob | None:
    """A job with work left that no other worker (replica) holds right now."""
    query = (select(ImportJob).where(col(ImportJob.status).in_(("queued", "running")))
             .order_by(ImportJob.created_at).limit(1).with_for_update(skip_locked=True))
    return (await session.exec(query)).first()


async def pending_rows(session: AsyncSession, job: ImportJob, limit: int) -> list[tuple[int, str]]:
    """(line, payload as PostgreSQL's canonical JSON text) of the job's next rows not handled yet."""
    return [tuple(row) for row in await (await driver(session)).fetch(
        "SELECT line, payload::text FROM import_rows WHERE job_id = $1 AND line > $2 AND outcome IS NULL "
        "ORDER BY line LIMIT $3", job.id, job.handled_through, limit)]


async def fingerprint_hits(session: AsyncSession, dealer_id: str, kind: str,
                           digests: list[bytes]) -> dict[bytes, uuid.UUID]:
    """digest -> record id, for the digests whose fingerprint still holds (see _STILL_HOLDS)."""
    if not digests:
        return {}
    rows = await (await driver(session)).fetch(
        f"SELECT f.digest, f.record_id FROM import_fingerprints f {_STILL_HOLDS[kind]} "
        "AND c.merged_into IS NULL AND c.erased_at IS NULL "
        "WHERE f.dealer_id = $1 AND f.kind = $2 AND f.digest = ANY($3::bytea[])", dealer_id, kind, digests)
    return {row[0]: row[1] for row in rows}


async def save_fingerprints(session: AsyncSession, dealer_id: str, kind: str,
                            prints: list[tuple[bytes, uuid.UUID, int, int | None]]) -> None:
    """(digest, record id, record version, owner version) of each row handled, in one upsert."""
    if not prints:
        return
    digests, records, versions, owners = (list(column) for column in zip(*prints, strict=True))
    await (await driver(session)).execute(
        "INSERT INTO import_fingerprints (dealer_id, kind, digest, record_id, record_version, owner_version) "
        "SELECT $1, $2, * FROM unnest($3::bytea[], $4::uuid[], $5::int[], $6::int[]) "
        "ON CONFLICT (dealer_id, kind, digest) DO UPDATE SET record_id = excluded.record_id, "
        "record_version = excluded.record_version, owner_version = excluded.owner_version",
        dealer_id, kind, digests, records, versions, owners)


async def record_outcomes(session: AsyncSession, job_id: uuid.UUID, outcomes: list[dict[str, Any]]) -> None:
    """Each outcome: line, outcome, record_id, errors, warnings; all in one statement. The payload is dropped
    once handled: the report keeps what happened, not a second copy of the customer's personal data (nor the ID
    number it may hold)."""
    if not outcomes:
        return
    await (await driver(session)).execute(
        "UPDATE import_rows r SET outcome = o.outcome, record_id = o.record_id, errors = o.errors::jsonb, "
        "warnings = o.warnings::jsonb, payload = NULL "
        "FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) "
        "AS o(line, outcome, record_id, errors, warnings) WHERE r.job_id = $1 AND r.line = o.line",
        job_id, [o["line"] for o in outcomes], [o["outcome"] for o in outcomes],
        [o.get("record_id") for o in outcomes], [_json_or_none(o.get("errors")) for o in outcomes],
        [_json_or_none(o.get("warnings")) for o in outcomes])


def _json_or_none(value: list | None) -> str | None:
    return json.dumps(value, ensure_ascii=False) if value else None


async def copy_rows(session: AsyncSession, model: type[SQLModel], rows: Iterable[Any]) -> None:
    """New rows (plain objects from `handlers.common.new_row`) of `model` in one COPY; an identity id left None
    is the database's to assign, JSON columns travel as text."""
    rows = list(rows)
    if not rows:
        return
    table = model.__table__
    names = [c.name for c in table.columns if not (c.name == "id" and getattr(rows[0], "id", None) is None)]
    as_json = [index for index, name in enumerate(names) if isinstance(table.columns[name].type, sa.JSON)]
    values_of = operator.attrgetter(*names)
    records = [values_of(row) for row in rows]
    if as_json:
        records = [list(record) for record in records]
        for record in records:
            for index in as_json:
                record[index] = json.dumps(record[index], ensure_ascii=False)
    await (await driver(session)).copy_records_to_table(table.name, records=records, columns=names)


class Owner(NamedTuple):
    """What a vehicle or visit line needs of the customer it names."""

    id: uuid.UUID
    version: int
    merged_into: uuid.UUID | None
    erased_at: datetime | None


async def owners(session: AsyncSession, dealer_id: str, ids: Iterable[uuid.UUID], mobiles: Iterable[str]
                 ) -> tuple[dict[uuid.UUID, Owner], dict[str, Owner]]:
    """The dealer's customers with these ids, and those holding these numbers (primary or other), by number."""
    connection = await driver(session)
    by_id = {row[0]: Owner(*row) for row in await connection.fetch(
        "SELECT id, version, merged_into, erased_at FROM customers WHERE dealer_id = $1 AND id = ANY($2::uuid[])",
        dealer_id, list(ids))}
    by_mobile = {row[0]: Owner(*row[1:]) for row in await connection.fetch(
        "SELECT m.mobile, c.id, c.version, c.merged_into, c.erased_at FROM customer_mobiles m "
        "JOIN customers c ON c.id = m.customer_id WHERE m.dealer_id = $1 AND m.mobile = ANY($2::text[])",
        dealer_id, list(mobiles))}
    return by_id, by_mobile


VISITED_VEHICLE = "id, dealer_id, customer_id, delivery_date, odometer_km, odometer_read_on"


async def visited_vehicles(session: AsyncSession, vins: Iterable[str], ids: Iterable[uuid.UUID]
                           ) -> tuple[dict[str, SimpleNamespace], dict[uuid.UUID, SimpleNamespace]]:
    """The vehicles a batch of visits names (by VIN, by id), locked: a visit may move their odometer on."""
    connection = await driver(session)
    rows = [*await connection.fetch(f"SELECT vin, {VISITED_VEHICLE} FROM vehicles WHERE vin = ANY($1::text[]) "
                                    "ORDER BY id FOR UPDATE", list(vins)),
            *await connection.fetch(f"SELECT vin, {VISITED_VEHICLE} FROM vehicles WHERE id = ANY($1::uuid[]) "
                                    "ORDER BY id FOR UPDATE", list(ids))]  # two index lookups, not one OR
    vehicles = [(row[0], SimpleNamespace(**dict(list(row.items())[1:]))) for row in rows]
    return {vin: vehicle for vin, vehicle in vehicles}, {vehicle.id: vehicle for _, vehicle in vehicles}


async def move_odometers(session: AsyncSession, vehicles: Iterable[SimpleNamespace]) -> None:
    """The latest reading of each vehicle, in one statement."""
    vehicles = list(vehicles)
    if vehicles:
        await (await driver(session)).execute(
            "UPDATE vehicles v SET odometer_km = u.km, odometer_read_on = u.read_on "
            "FROM unnest($1::uuid[], $2::int[], $3::date[]) AS u(id, km, read_on) WHERE v.id = u.id",
            [v.id for v in vehicles], [v.odometer_km for v in vehicles], [v.odometer_read_on for v in vehicles])


async def report(session: AsyncSession, job_id: uuid.UUID, *, only_failed: bool, after: int, limit: int
                 ) -> list[ImportRow]:
    query = select(ImportRow).where(ImportRow.job_id == job_id, ImportRow.line > after)
    if only_failed:
        query = query.where(ImportRow.outcome == "failed")
    return list((await session.exec(query.order_by(ImportRow.line).limit(limit + 1))).all())


async def count_failed(session: AsyncSession, job_id: uuid.UUID) -> int:
    query = select(sa.func.count()).select_from(ImportRow).where(ImportRow.job_id == job_id,
                                                                 ImportRow.outcome == "failed")
    return (await session.exec(query)).one()
