"""The dealer batch: refit cut points and models, rescore every customer, refresh segments, snapshot KPIs.

Runs as a job (queued by the schedule, by a user, or by the first event of a dealer without a fit).
Workers claim jobs with FOR UPDATE SKIP LOCKED, so replicas share the queue and never run one twice.
"""

import logging
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

import numpy as np
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts import REGISTRY, new_event
from crm_contracts.events.segmentation import CustomerRescored
from crm_kit.logs import request_id
from crm_segmentation.domain import batch, facts, scoring
from crm_segmentation.handlers import kpis, profiles
from crm_segmentation.handlers.context import SERVICE, Context, DealerRules
from crm_segmentation.models import ScoringJob
from crm_segmentation.repository import batch as batch_repository
from crm_segmentation.repository import profiles as profile_repository
from crm_segmentation.repository import report as report_repository
from crm_segmentation.repository import scoring as repository
from crm_segmentation.repository import segments as segment_repository

log = logging.getLogger(__name__)
BY_ROW_CHUNK = 5_000  # customers per round of the row-by-row path (keeps IN lists under the driver's limit)


@contextmanager
def _phase(timings: dict[str, float] | None, name: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


async def rescore_dealer(session: AsyncSession, dealer_id: str, context: Context,
                         timings: dict[str, float] | None = None) -> int:
    """Refit the dealer and rescore every customer; `timings` (if given) gets seconds per phase.

    Customers without vehicles (most of a large dealer's history) are scored in columns: one COPY of
    their visits in, numpy, one COPY of their scores out, one INSERT of the events of those whose classes
    changed. Customers with vehicles go row by row through the same code as an event refresh, because
    their statuses need each vehicle's service history and readings; so does everyone when the dealer has
    dynamic segments (filters are evaluated per profile).
    """
    today = context.clock.today()
    rules = await context.rules(session, dealer_id)
    with _phase(timings, "load"):
        await batch_repository.lock_customers(session, dealer_id)
        customers = await batch_repository.customers(session, dealer_id)
        visits = await batch_repository.visits(session, dealer_id, today, rules.policy.default_margin_rate,
                                               customers.ids)
    with _phase(timings, "compute"):
        histories, summary = batch.summarise(visits, len(customers))
        del visits
        fit, scores = scoring.fit_dealer(histories, rules.policy, np.random.default_rng(0))
        columns = batch.profile_columns(histories, summary, scores, fit, today, rules.thresholds.lost_months)
    await repository.save_fit(session, dealer_id, fit.to_json())
    fitted = DealerRules(rules.thresholds, rules.policy, fit)
    dynamic = await context.dynamic_segments(session, dealer_id)
    by_row = customers.with_vehicles | bool(dynamic)
    in_bulk = ~by_row
    scored_at = datetime.now(UTC)
    with _phase(timings, "write"):
        changed = np.zeros(len(customers), dtype=bool)
        for field, old in customers.classes.items():
            changed |= columns[field] != old
        written = {"customer_id": customers.ids, "changed": changed.astype(np.int16), **summary, **columns,
                   **{name: getattr(histories, name) for name in ("spend_total", "margin_total", "margin_12m")}}
        await batch_repository.save_scores(session, {k: v[in_bulk] for k, v in written.items()}, today, scored_at)
    with _phase(timings, "publish"):
        envelope = new_event(CustomerRescored(customer_id=uuid.UUID(int=0), dealer_id=dealer_id,
                                              rescored_at=scored_at),
                             service=SERVICE, subject="", dealer_id=dealer_id, request_id=request_id.get())
        shared = envelope.model_dump(mode="json", exclude_none=True)
        staged = await batch_repository.stage_rescored(
            session, REGISTRY[envelope.type].topic, envelope.type,
            {k: v for k, v in shared.items() if k not in ("id", "subject", "data")}, shared["data"]["rescored_at"])
    with _phase(timings, "by_row"):
        await _rescore_by_row(session, customers.ids[by_row], np.flatnonzero(by_row), scores, fitted, context,
                              dynamic)
    with _phase(timings, "kpis"):
        await kpis.snapshot(session, dealer_id, today)
        # the value report's movements compare month ends; the month's last batch leaves its classes
        await report_repository.save_class_snapshot(session, dealer_id, today.replace(day=1))
    if timings is not None:
        timings.update(customers=len(customers), by_row=float(by_row.sum()), events=staged)
    return len(customers)


async def _rescore_by_row(session: AsyncSession, ids: np.ndarray, positions: np.ndarray, scores: scoring.Scores,
                          fitted: DealerRules, context: Context, dynamic: list) -> None:
    today = context.clock.today()
    for start in range(0, len(ids), BY_ROW_CHUNK):
        chunk = [uuid.UUID(bytes=bytes(v)) for v in ids[start:start + BY_ROW_CHUNK]]
        position = dict(zip(chunk, positions[start:start + BY_ROW_CHUNK].tolist(), strict=True))
        histories = await profiles.load_histories(session, chunk)
        memberships = await segment_repository.memberships_of_customers(session, chunk)
        saved, changed_vehicles = [], []
        for profile in await profile_repository.lock_profiles(session, chunk):
            history = histories[profile.customer_id]
            customer = facts.customer_facts([profiles.as_fact(v) for v in history.visits], today,
                                            fitted.policy.default_margin_rate)
            row = scores.row(position[profile.customer_id])
            fields, changed = await profiles.apply(session, profile, history, customer, row, fitted, context,
                                                   dynamic, memberships[profile.customer_id],
                                                   clv_manual=row["clv_manual"])
            saved.append(fields)
            changed_vehicles += changed
        await profiles.save(session, saved, changed_vehicles)


async def run_job(session: AsyncSession, job: ScoringJob, context: Context) -> int:
    log.info("rescoring dealer %s (job %s, %s)", job.dealer_id, job.id, job.trigger)
    return await rescore_dealer(session, job.dealer_id, context)


async def request(session: AsyncSession, dealer_id: str, trigger: str, by: str | None = None) -> ScoringJob:
    return await repository.enqueue_job(session, dealer_id, trigger, by)


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> ScoringJob | None:
    return await repository.get_job(session, job_id)
