"""The dealer batch: refit cut points and models, rescore every customer, refresh segments, snapshot KPIs.

Runs as a job (queued by the schedule, by a user, or by the first event of a dealer without a fit).
Workers claim jobs with FOR UPDATE SKIP LOCKED, so replicas share the queue and never run one twice.
"""

import logging
import uuid
from collections import defaultdict

import numpy as np
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_segmentation.domain import facts, scoring
from crm_segmentation.handlers import kpis, profiles
from crm_segmentation.handlers.context import Context, DealerRules
from crm_segmentation.models import ScoringJob
from crm_segmentation.repository import profiles as profile_repository
from crm_segmentation.repository import scoring as repository
from crm_segmentation.repository import segments as segment_repository

log = logging.getLogger(__name__)


async def rescore_dealer(session: AsyncSession, dealer_id: str, context: Context) -> int:
    today = context.clock.today()
    rules = await context.rules(session, dealer_id)
    customers = await profile_repository.dealer_profiles(session, dealer_id, lock=True)
    vehicles = await profile_repository.dealer_vehicle_profiles(session, dealer_id)
    by_customer, by_vehicle = defaultdict(list), defaultdict(list)
    for visit in await profile_repository.dealer_visits(session, dealer_id):
        by_customer[visit.customer_id].append(visit)
        if visit.vehicle_id is not None:
            by_vehicle[visit.vehicle_id].append(visit)
    readings = defaultdict(list)
    for reading in await profile_repository.dealer_readings(session, dealer_id):
        readings[reading.vehicle_id].append(reading)
    owned = defaultdict(list)
    for vehicle in vehicles:
        owned[vehicle.customer_id].append(vehicle)

    # erased customers keep their profile but take no part in the dealer's ranks and fits
    scored = [p for p in customers if not p.erased]
    customer_facts = [facts.customer_facts([profiles.as_fact(v) for v in by_customer[p.customer_id]], today,
                                           rules.policy.default_margin_rate) for p in scored]
    repeat = [facts.repeat_day_margin([profiles.as_fact(v) for v in by_customer[p.customer_id]],
                                      rules.policy.default_margin_rate) for p in scored]
    fit, scores = scoring.fit_dealer(facts.histories(customer_facts, today, repeat), rules.policy,
                                     np.random.default_rng(0))
    await repository.save_fit(session, dealer_id, fit.to_json())
    fitted = DealerRules(rules.thresholds, rules.policy, fit)
    dynamic = await context.dynamic_segments(session, dealer_id)
    memberships = await segment_repository.memberships_of_customers(session, [p.customer_id for p in scored])
    saved, changed_vehicles = [], []
    for i, profile in enumerate(scored):
        history = profiles.History(by_customer[profile.customer_id], owned[profile.customer_id], by_vehicle,
                                   readings)
        row = scores.row(i)
        fields, changed = await profiles.apply(session, profile, history, customer_facts[i], row, fitted, context,
                                               dynamic, memberships[profile.customer_id],
                                               clv_manual=row["clv_manual"])
        saved.append(fields)
        changed_vehicles += changed
    await profiles.save(session, saved, changed_vehicles)
    await kpis.snapshot(session, dealer_id, today)
    return len(scored)


async def run_job(session: AsyncSession, job: ScoringJob, context: Context) -> int:
    log.info("rescoring dealer %s (job %s, %s)", job.dealer_id, job.id, job.trigger)
    return await rescore_dealer(session, job.dealer_id, context)


async def request(session: AsyncSession, dealer_id: str, trigger: str, by: str | None = None) -> ScoringJob:
    return await repository.enqueue_job(session, dealer_id, trigger, by)


async def get_job(session: AsyncSession, job_id: uuid.UUID) -> ScoringJob | None:
    return await repository.get_job(session, job_id)
