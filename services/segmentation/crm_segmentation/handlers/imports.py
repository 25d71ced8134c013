"""A customer-service import lands: count its applied events, and once all are in, rescore the dealer once.

Every event an import staged carries the job id (`importjob`); `crm.customer.import.completed.v1` says
how many there were. They travel on several partitions, so either may arrive last: each transaction
adds what it applied (in the same transaction as the effect, after the inbox has dropped duplicates)
and whichever makes applied >= expected queues the dealer's rescore, naming the import.

An import that staged no events (a re-run that changed nothing) queues no rescore: nothing changed that a
rescore would see. Its status reads `unchanged`.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_kit.auth import Principal, check_dealer
from crm_kit.problems import not_found
from crm_segmentation.models import ImportProgress
from crm_segmentation.models.scoring import ImportScoring
from crm_segmentation.repository import imports as repository
from crm_segmentation.repository import scoring as scoring_repository


@dataclass
class Landing:
    """What one transaction learnt about imports: events applied per job, and completions."""

    dealers: dict[uuid.UUID, str] = field(default_factory=dict)
    applied: dict[uuid.UUID, int] = field(default_factory=dict)
    completed: dict[uuid.UUID, tuple[int, datetime]] = field(default_factory=dict)

    def count(self, import_job: str | None, dealer_id: str) -> None:
        job_id = job_uuid(import_job)
        if job_id is not None:
            self.dealers[job_id] = dealer_id
            self.applied[job_id] = self.applied.get(job_id, 0) + 1

    def complete(self, job_id: uuid.UUID, dealer_id: str, events: int, completed_at: datetime) -> None:
        self.dealers[job_id] = dealer_id
        self.completed[job_id] = (events, completed_at)


def job_uuid(import_job: str | None) -> uuid.UUID | None:
    """The customer service names jobs by uuid; anything else is no import of ours to follow."""
    try:
        return uuid.UUID(import_job) if import_job else None
    except ValueError:
        return None


async def settle(session: AsyncSession, landing: Landing) -> None:
    """One upsert per import (in id order, so two transactions never wait on each other in a circle)."""
    for job_id in sorted(landing.dealers):
        expected, completed_at = landing.completed.get(job_id, (None, None))
        progress = await repository.add_progress(session, job_id, landing.dealers[job_id],
                                                 landing.applied.get(job_id, 0), expected, completed_at)
        if landed(progress):
            job = await scoring_repository.enqueue_job(session, progress.dealer_id, "import",
                                                       import_job_id=job_id)
            await repository.set_rescore_job(session, job_id, job.id)
    landing.dealers, landing.applied, landing.completed = {}, {}, {}


def landed(progress: ImportProgress) -> bool:
    """Every staged event applied, something to score, and no rescore queued for it yet."""
    return (progress.expected is not None and progress.expected > 0 and progress.applied >= progress.expected
            and progress.rescore_job_id is None)


def status_of(progress: ImportProgress, job_status: str | None) -> str:
    if progress.expected == 0:
        return "unchanged"
    if job_status is None:
        return "applying"
    return {"queued": "scoring", "running": "scoring"}.get(job_status, job_status)


async def import_scoring(session: AsyncSession, principal: Principal, import_job_id: uuid.UUID) -> ImportScoring:
    progress, job = await repository.get_progress(session, import_job_id)
    if progress is None:
        raise not_found("import")
    check_dealer(principal, progress.dealer_id, "import")
    return ImportScoring(import_job_id=import_job_id, dealer_id=progress.dealer_id,
                         events_applied=progress.applied, events_expected=progress.expected,
                         status=status_of(progress, job.status if job else None), scoring_job=job)
