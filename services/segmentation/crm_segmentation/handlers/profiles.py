"""Keeping one customer's profile current: facts, vehicle statuses, scores, segments and their events.

`refresh` runs on every event about the customer (no waiting for a nightly job); the batch calls
`apply` for every customer of a dealer with freshly fitted scores. Both publish only what changed.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts.events.segmentation import CustomerRescored, CustomerStatusChanged, FirstServiceLost
from crm_segmentation.domain import facts, scoring
from crm_segmentation.domain.retention import FIRST_SERVICE_LOST
from crm_segmentation.handlers import segments
from crm_segmentation.handlers.context import Context, DealerRules, publish
from crm_segmentation.models import OdometerReading, Profile, Segment, VehicleProfile, Visit
from crm_segmentation.repository import profiles as repository
from crm_segmentation.repository import scoring as scoring_repository

RESCORE_FIELDS = ("value_type", "lifecycle_stage", "rfm_segment", "abc_class")


@dataclass
class History:
    """What one customer's profile is computed from."""

    visits: list[Visit]
    vehicles: list[VehicleProfile]
    vehicle_visits: dict[uuid.UUID, list[Visit]]
    readings: dict[uuid.UUID, list[OdometerReading]]


def as_fact(visit: Visit) -> facts.VisitFact:
    return facts.VisitFact(visit.vehicle_id, visit.kind, visit.subkind, visit.visited_on, visit.amount,
                           visit.margin)


def readings_since_correction(readings: list[OdometerReading]) -> list[tuple[date, int]]:
    """A corrected reading restarts the series (the earlier ones were wrong)."""
    start = max((i for i, r in enumerate(readings) if r.correction), default=0)
    return [(r.read_on, r.km) for r in readings[start:]]


async def load_history(session: AsyncSession, customer_id: uuid.UUID) -> History:
    vehicles = await repository.vehicles_of(session, customer_id)
    ids = [v.vehicle_id for v in vehicles]
    by_vehicle: dict[uuid.UUID, list[Visit]] = defaultdict(list)
    for visit in await repository.visits_of_vehicles(session, ids):
        by_vehicle[visit.vehicle_id].append(visit)
    readings: dict[uuid.UUID, list[OdometerReading]] = defaultdict(list)
    for reading in await repository.readings_of(session, ids):
        readings[reading.vehicle_id].append(reading)
    return History(await repository.visits_of(session, customer_id), vehicles, by_vehicle, readings)


async def refresh(session: AsyncSession, customer_id: uuid.UUID, context: Context) -> None:
    profile = await repository.get_profile(session, customer_id, lock=True)
    if profile is None or profile.merged_into is not None:
        return
    rules = await context.rules(session, profile.dealer_id)
    today = context.clock.today()
    history = await load_history(session, customer_id)
    customer = facts.customer_facts([as_fact(v) for v in history.visits], today, rules.policy.default_margin_rate)
    scores = None
    if rules.fit is None:  # a dealer's first customer: have the batch fit the dealer soon
        await scoring_repository.enqueue_job(session, profile.dealer_id, "first_event")
    elif rules.fit.customers > 0:
        scores = scoring.score(facts.histories([customer], today), rules.fit, rules.policy).row(0)
    await apply(session, profile, history, customer, scores, rules, context)


async def apply(session: AsyncSession, profile: Profile, history: History, customer: dict, scores: dict | None,
                rules: DealerRules, context: Context, dynamic: list[Segment] | None = None) -> None:
    today = context.clock.today()
    quiet = profile.erased  # an erased person gets no new events and belongs to no segment
    states = []
    for vehicle in history.vehicles:
        visits = [as_fact(v) for v in history.vehicle_visits.get(vehicle.vehicle_id, [])]
        state = facts.vehicle_state(
            facts.VehicleFacts(vehicle.delivery_date, vehicle.model,
                               readings_since_correction(history.readings.get(vehicle.vehicle_id, []))),
            visits, today, rules.thresholds)
        if not quiet:
            await _publish_vehicle_changes(session, profile, vehicle, state, today)
        await repository.upsert_vehicle(session, vehicle.vehicle_id, customer_id=vehicle.customer_id,
                                        dealer_id=vehicle.dealer_id, **state)
        states.append({**state, "model": vehicle.model})
    scored = facts.profile_scores(customer, states, scores, rules.fit, today, rules.thresholds)
    manual = scores["clv_manual"] if scores else scoring.score(
        facts.histories([customer], today), scoring.DealerFit(), rules.policy).clv_manual[0]
    fields = {**customer, **scored, "clv_manual": Decimal(str(round(float(manual), 2))),
              "scored_at": datetime.now(UTC)}
    changed = [name for name in RESCORE_FIELDS if getattr(profile, name) != fields[name]]
    if changed and not quiet:
        await publish(session, CustomerRescored(
            customer_id=profile.customer_id, dealer_id=profile.dealer_id, value_type=fields["value_type"],
            lifecycle_stage=fields["lifecycle_stage"], rfm_segment=fields["rfm_segment"],
            abc_class=fields["abc_class"], clv=fields["clv"], churn_reasons=fields["churn_reasons"],
            churn_risk=fields["churn_risk"], p_alive=fields["p_alive"], rescored_at=fields["scored_at"]),
            profile.customer_id, profile.dealer_id)
    await repository.set_profile_fields(session, profile.customer_id, **fields)
    for name, value in fields.items():
        setattr(profile, name, value)
    await segments.sync_member(session, profile, dynamic)


async def _publish_vehicle_changes(session: AsyncSession, profile: Profile, vehicle: VehicleProfile, state: dict,
                                   today: date) -> None:
    current = state["retention_status"]
    if current is not None and current != vehicle.retention_status:
        await publish(session, CustomerStatusChanged(
            customer_id=profile.customer_id, vehicle_id=vehicle.vehicle_id, dealer_id=profile.dealer_id,
            previous=vehicle.retention_status, current=current, reason=state["status_reason"],
            changed_at=datetime.now(UTC)), profile.customer_id, profile.dealer_id)
    if state["first_service_status"] == FIRST_SERVICE_LOST and vehicle.first_service_status != FIRST_SERVICE_LOST:
        await publish(session, FirstServiceLost(
            vehicle_id=vehicle.vehicle_id, customer_id=profile.customer_id, dealer_id=profile.dealer_id,
            delivery_date=vehicle.delivery_date, lost_on=today), profile.customer_id, profile.dealer_id)
