"""How far each customer-service import has been applied here."""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_segmentation.models import ImportProgress, ScoringJob


async def add_progress(session: AsyncSession, import_job_id: uuid.UUID, dealer_id: str, applied: int,
                       expected: int | None, completed_at: datetime | None) -> ImportProgress:
    """Add applied events and/or the expected count in one upsert. The row stays locked until commit, so
    the transactions of other partitions settling the same import take their turn and see these counts."""
    table = ImportProgress.__table__
    statement = insert(table).values(import_job_id=import_job_id, dealer_id=dealer_id, applied=applied,
                                     expected=expected, completed_at=completed_at, updated_at=datetime.now(UTC))
    row = (await session.exec(statement.on_conflict_do_update(
        index_elements=[table.c.import_job_id],
        set_={"applied": table.c.applied + statement.excluded.applied,
              "expected": sa.func.coalesce(statement.excluded.expected, table.c.expected),
              "completed_at": sa.func.coalesce(statement.excluded.completed_at, table.c.completed_at),
              "updated_at": statement.excluded.updated_at})
        .returning(*table.c))).one()
    return ImportProgress.model_validate(dict(row._mapping))


async def set_rescore_job(session: AsyncSession, import_job_id: uuid.UUID, job_id: uuid.UUID) -> None:
    table = ImportProgress.__table__
    await session.exec(sa.update(table).where(table.c.import_job_id == import_job_id)
                       .values(rescore_job_id=job_id, updated_at=datetime.now(UTC)))


async def get_progress(session: AsyncSession,
                       import_job_id: uuid.UUID) -> tuple[ImportProgress | None, ScoringJob | None]:
    progress = await session.get(ImportProgress, import_job_id, populate_existing=True)
    if progress is None or progress.rescore_job_id is None:
        return progress, None
    return progress, await session.get(ScoringJob, progress.rescore_job_id, populate_existing=True)
