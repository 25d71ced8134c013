"""Background work: the scoring worker and the schedule that queues each dealer's batch."""

import logging
from datetime import timedelta

from fastapi import FastAPI

from crm_kit.loops import repeat
from crm_segmentation.handlers import scoring
from crm_segmentation.handlers.context import Clock, Context
from crm_segmentation.repository import profiles as profile_repository
from crm_segmentation.repository import scoring as repository
from crm_segmentation.settings import SegmentationSettings

log = logging.getLogger(__name__)


async def work_once(app: FastAPI) -> bool:
    """Claim one queued job (committed as running at once), run it, and record the outcome.

    The batch and its "done" commit together; a replica that stops mid-batch leaves the job running
    until the schedule marks it abandoned (`job_stale_minutes`) and queues the dealer again.
    """
    settings: SegmentationSettings = app.state.settings
    context = Context(Clock(settings.timezone), fit_sample=settings.fit_sample)
    async with app.state.sessions() as session:
        async with session.begin():
            job = await repository.claim_job(session)
        if job is None:
            return False
        job_id = job.id  # a failed batch's rollback expires `job`; reading it then would need I/O
        try:
            async with session.begin():
                customers = await scoring.run_job(session, job, context)
                await repository.finish_job(session, job_id, customers=customers)
        except Exception as error:
            log.exception("scoring job %s failed", job_id)
            async with session.begin():
                await repository.finish_job(session, job_id, error=repr(error))
    return True


async def scoring_worker(app: FastAPI) -> None:
    await repeat("scoring worker", lambda: work_once(app), app.state.settings.job_poll_seconds)


async def schedule_once(app: FastAPI) -> int:
    settings: SegmentationSettings = app.state.settings
    async with app.state.sessions() as session, session.begin():
        await repository.fail_abandoned_jobs(session, timedelta(minutes=settings.job_stale_minutes))
        dealers = await profile_repository.dealers_with_profiles(session)
        due = await repository.dealers_due(session, dealers, timedelta(hours=settings.rescore_interval_hours))
        for dealer_id in due:
            await repository.enqueue_job(session, dealer_id, "scheduled")
    return len(due)


async def rescore_schedule(app: FastAPI) -> None:
    settings: SegmentationSettings = app.state.settings
    if settings.rescore_interval_hours == 0:
        return

    async def check() -> bool:
        await schedule_once(app)
        return False  # queued jobs are the worker's; look again after the interval

    await repeat("rescore schedule", check, settings.schedule_check_seconds)
