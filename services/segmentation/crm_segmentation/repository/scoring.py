"""Dealer settings, fits, scoring jobs and KPI snapshots."""

import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_segmentation.models import DealerFitRow, DealerSettings, KpiSnapshot, ScoringJob


async def get_settings(session: AsyncSession, dealer_id: str, lock: bool = False) -> DealerSettings | None:
    return await session.get(DealerSettings, dealer_id, with_for_update=lock)


async def save_settings(session: AsyncSession, dealer_id: str, settings: dict, by: str, read_version: int
                        ) -> int | None:
    """The new version; None when another write got there first (two first saves of a dealer's settings)."""
    values = {"dealer_id": dealer_id, "settings": settings, "updated_at": datetime.now(UTC), "updated_by": by,
              "version": read_version + 1}
    statement = insert(DealerSettings).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[DealerSettings.dealer_id], set_={k: statement.excluded[k] for k in values},
        where=DealerSettings.version == read_version).returning(DealerSettings.version)
    return (await session.exec(statement)).scalar_one_or_none()


async def get_fit(session: AsyncSession, dealer_id: str) -> DealerFitRow | None:
    return (await session.exec(select(DealerFitRow).where(DealerFitRow.dealer_id == dealer_id))).first()


async def save_fit(session: AsyncSession, dealer_id: str, fit: dict) -> None:
    values = {"dealer_id": dealer_id, "fit": fit, "fitted_at": datetime.now(UTC)}
    statement = insert(DealerFitRow).values(**values)
    await session.exec(statement.on_conflict_do_update(
        index_elements=[DealerFitRow.dealer_id], set_={k: statement.excluded[k] for k in values}))


async def enqueue_job(session: AsyncSession, dealer_id: str, trigger: str, by: str | None = None,
                      import_job_id: uuid.UUID | None = None) -> ScoringJob:
    """At most one queued job per dealer: asking again answers the job already waiting (which then names
    the import, if it named none: it has not started, so it will score what the import brought)."""
    now = datetime.now(UTC)
    job_id = (await session.exec(
        insert(ScoringJob).values(id=uuid.uuid4(), dealer_id=dealer_id, status="queued", trigger=trigger,
                                  requested_by=by, requested_at=now, import_job_id=import_job_id)
        .on_conflict_do_nothing(index_elements=["dealer_id"], index_where=sa.text("status = 'queued'"))
        .returning(ScoringJob.id))).first()
    if job_id is None:
        query = select(ScoringJob).where(ScoringJob.dealer_id == dealer_id, ScoringJob.status == "queued")
        job = (await session.exec(query)).one()
        if import_job_id is not None and job.import_job_id is None:
            job.import_job_id = import_job_id
            session.add(job)
            await session.flush()
        return job
    return await session.get(ScoringJob, job_id[0])


async def claim_job(session: AsyncSession) -> ScoringJob | None:
    """The oldest queued job no other replica holds, turned running (the caller commits at once, so a
    settings change made while the batch runs queues a new job instead of joining this one)."""
    query = (select(ScoringJob).where(ScoringJob.status == "queued").order_by(col(ScoringJob.requested_at))
             .limit(1).with_for_update(skip_locked=True))
    job = (await session.exec(query)).first()
    if job is not None:
        job.status, job.started_at = "running", datetime.now(UTC)
        session.add(job)
        await session.flush()
    return job


async def fail_abandoned_jobs(session: AsyncSession, older_than: timedelta) -> None:
    """A replica that stopped mid-batch leaves its job running: mark it failed so the schedule asks again."""
    await session.exec(sa.update(ScoringJob).where(
        col(ScoringJob.status) == "running", col(ScoringJob.started_at) < datetime.now(UTC) - older_than)
        .values(status="failed", finished_at=datetime.now(UTC), error="abandoned by a stopped replica"))


async def finish_job(session: AsyncSession, job_id: uuid.UUID, *, customers: int | None = None,
                     error: str | None = None) -> None:
    await session.exec(sa.update(ScoringJob).where(col(ScoringJob.id) == job_id).values(
        status="failed" if error else "done", finished_at=datetime.now(UTC), customers=customers,
        error=error[:2000] if error else None))


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> ScoringJob | None:
    return await session.get(ScoringJob, job_id)


async def dealers_due(session: AsyncSession, dealers: list[str], interval: timedelta) -> list[str]:
    """Dealers whose last fit is older than the interval (or who have none)."""
    fresh = set((await session.exec(select(DealerFitRow.dealer_id).where(
        DealerFitRow.fitted_at > datetime.now(UTC) - interval))).all())
    return [d for d in dealers if d not in fresh]


async def save_snapshot(session: AsyncSession, dealer_id: str, month: date, rows: list[dict]) -> None:
    now = datetime.now(UTC)
    for row in rows:
        values = {"dealer_id": dealer_id, "month": month, **row, "taken_at": now}
        statement = insert(KpiSnapshot).values(**values)
        await session.exec(statement.on_conflict_do_update(
            index_elements=["dealer_id", "month", "age_years"],
            set_={k: statement.excluded[k] for k in ("sold", "grasped", "base", "active", "taken_at")}))


async def snapshots(session: AsyncSession, dealers: frozenset[str] | None, since: date,
                    until: date) -> list[KpiSnapshot]:
    query = select(KpiSnapshot).where(KpiSnapshot.month >= since, KpiSnapshot.month <= until)
    if dealers is not None:
        query = query.where(col(KpiSnapshot.dealer_id).in_(dealers))
    return list((await session.exec(query.order_by(col(KpiSnapshot.month), col(KpiSnapshot.age_years)))).all())
