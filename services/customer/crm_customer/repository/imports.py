"""Import jobs: staging rows as they stream in, claiming work, recording each row's outcome."""

import uuid
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_customer.models import ImportJob, ImportRow
from crm_customer.repository.records import Position, newest_first

rows_table = ImportRow.__table__
jobs_table = ImportJob.__table__


async def stage_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection = await session.connection()
        await connection.execute(rows_table.insert(), rows)


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> ImportJob | None:
    return await session.get(ImportJob, job_id)


async def list_jobs(session: AsyncSession, dealers: frozenset[str] | None, *, dealer_id: str | None,
                    status: str | None, after: Position | None, limit: int) -> list[ImportJob]:
    query = select(ImportJob)
    if status:
        query = query.where(ImportJob.status == status)
    query = newest_first(query, ImportJob.created_at, ImportJob.id, dealers, ImportJob.dealer_id, dealer_id, after,
                         limit)
    return list((await session.exec(query)).all())


async def claim_job(session: AsyncSession) -> ImportJob | None:
    """A job with work left that no other worker (replica) holds right now."""
    query = (select(ImportJob).where(col(ImportJob.status).in_(("queued", "running")))
             .order_by(ImportJob.created_at).limit(1).with_for_update(skip_locked=True))
    return (await session.exec(query)).first()


async def pending_rows(session: AsyncSession, job_id: uuid.UUID, limit: int) -> list[ImportRow]:
    query = (select(ImportRow).where(ImportRow.job_id == job_id, col(ImportRow.outcome).is_(None))
             .order_by(ImportRow.line).limit(limit))
    return list((await session.exec(query)).all())


async def record_outcomes(session: AsyncSession, job_id: uuid.UUID, outcomes: list[dict[str, Any]]) -> None:
    """Each outcome: line, outcome, record_id, errors, warnings. The payload is dropped once handled: the
    report keeps what happened, not a second copy of the customer's personal data."""
    if not outcomes:
        return
    statement = (rows_table.update()
                 .where(rows_table.c.job_id == sa.bindparam("b_job"), rows_table.c.line == sa.bindparam("b_line"))
                 .values(outcome=sa.bindparam("b_outcome"), record_id=sa.bindparam("b_record"),
                         errors=sa.bindparam("b_errors", type_=rows_table.c.errors.type),
                         warnings=sa.bindparam("b_warnings", type_=rows_table.c.warnings.type), payload=None))
    connection = await session.connection()
    await connection.execute(statement, [
        {"b_job": job_id, "b_line": o["line"], "b_outcome": o["outcome"], "b_record": o.get("record_id"),
         "b_errors": o.get("errors") or None, "b_warnings": o.get("warnings") or None} for o in outcomes])


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
