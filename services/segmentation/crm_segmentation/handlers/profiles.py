"""Keeping customers' profiles current: facts, vehicle statuses, scores, segments and their events.

`refresh` runs for the customers a transaction's events touched, once each after the last event (no
waiting for a nightly job); the batch calls `apply` for every customer of a dealer with freshly fitted
scores. Both publish only what changed.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts.events.segmentation import CustomerRescored, CustomerStatusChanged, FirstServiceLost
from crm_segmentation.domain import facts, scoring
from crm_segmentation.domain.retention import FIRST_SERVICE_LOST
from crm_segmentation.handlers import segments
from crm_segmentation.handlers.context import Context, DealerRules, stage_event
from crm_segmentation.models import OdometerReading, Profile, Segment, VehicleProfile, Visit
from crm_segmentation.repository import profiles as repository
from crm_segmentation.repository import scoring as scoring_repository
from crm_segmentation.repository import segments as segment_repository

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


async def load_histories(session: AsyncSession, customer_ids: list[uuid.UUID]) -> dict[uuid.UUID, History]:
    """Four queries however many customers: their vehicles, their visits, and each vehicle's whole service
    history and readings (a vehicle's history stays with it when it changes owners)."""
    vehicles = await repository.vehicles_of_customers(session, customer_ids)
    ids = [v.vehicle_id for v in vehicles]
    by_vehicle: dict[uuid.UUID, list[Visit]] = defaultdict(list)
    for visit in await repository.visits_of_vehicles(session, ids):
        by_vehicle[visit.vehicle_id].append(visit)
    readings: dict[uuid.UUID, list[OdometerReading]] = defaultdict(list)
    for reading in await repository.readings_of(session, ids):
        readings[reading.vehicle_id].append(reading)
    histories = {customer_id: History([], [], by_vehicle, readings) for customer_id in customer_ids}
    for vehicle in vehicles:
        histories[vehicle.customer_id].vehicles.append(vehicle)
    for visit in await repository.visits_of_customers(session, customer_ids):
        histories[visit.customer_id].visits.append(visit)
    return histories


async def refresh(session: AsyncSession, customer_ids: Iterable[uuid.UUID], context: Context) -> None:
    """Recompute these customers from what is stored now: every dealer's customers scored in one call."""
    profiles = [p for p in await repository.lock_profiles(session, list(dict.fromkeys(customer_ids)))
                if p.merged_into is None]
    if not profiles:
        return
    ids = [p.customer_id for p in profiles]
    histories = await load_histories(session, ids)
    memberships = await segment_repository.memberships_of_customers(session, ids)
    today = context.clock.today()
    by_dealer: dict[str, list[Profile]] = defaultdict(list)
    for profile in profiles:
        by_dealer[profile.dealer_id].append(profile)
    saved, vehicles = [], []
    for dealer_id, group in by_dealer.items():
        rules = await context.rules(session, dealer_id)
        rows = [facts.customer_facts([as_fact(v) for v in histories[p.customer_id].visits], today,
                                     rules.policy.default_margin_rate) for p in group]
        scored = rules.fit is not None and rules.fit.customers > 0
        if rules.fit is None:  # a dealer's first customers: have the batch fit the dealer soon
            await scoring_repository.enqueue_job(session, dealer_id, "first_event")
        repeat = [facts.repeat_day_margin([as_fact(v) for v in histories[p.customer_id].visits],
                                          rules.policy.default_margin_rate) for p in group]
        scores = scoring.score(facts.histories(rows, today, repeat), rules.fit if scored else scoring.DealerFit(),
                               rules.policy)
        dynamic = await context.dynamic_segments(session, dealer_id)
        for i, profile in enumerate(group):
            fields, changed = await apply(session, profile, histories[profile.customer_id], rows[i],
                                          scores.row(i) if scored else None, rules, context, dynamic,
                                          memberships[profile.customer_id], clv_manual=scores.clv_manual[i].item())
            saved.append(fields)
            vehicles += changed
    await save(session, saved, vehicles)


async def save(session: AsyncSession, profiles: list[dict], vehicles: list[dict]) -> None:
    await repository.save_vehicle_states(session, vehicles)
    await repository.save_profiles(session, profiles)


async def apply(session: AsyncSession, profile: Profile, history: History, customer: dict, scores: dict | None,
                rules: DealerRules, context: Context, dynamic: list[Segment], memberships: set[uuid.UUID],
                *, clv_manual: float) -> tuple[dict, list[dict]]:
    """Events staged and segments synced; returns the profile's new fields (set on `profile` too) and the
    vehicles whose computed fields changed, for the caller to `save` with the others in two statements."""
    today = context.clock.today()
    quiet = profile.erased  # an erased person gets no new events and belongs to no segment
    states, changed_vehicles = [], []
    for vehicle in history.vehicles:
        visits = [as_fact(v) for v in history.vehicle_visits.get(vehicle.vehicle_id, [])]
        state = facts.vehicle_state(
            facts.VehicleFacts(vehicle.delivery_date, vehicle.model,
                               readings_since_correction(history.readings.get(vehicle.vehicle_id, []))),
            visits, today, rules.thresholds)
        if not quiet:
            await _publish_vehicle_changes(session, profile, vehicle, state, today)
        if any(getattr(vehicle, name) != value for name, value in state.items()):
            changed_vehicles.append({"vehicle_id": vehicle.vehicle_id, **state})
        states.append({**state, "model": vehicle.model})
    scored = facts.profile_scores(customer, states, scores, rules.fit, today, rules.thresholds)
    fields = {**customer, **scored, "clv_manual": Decimal(str(round(float(clv_manual), 2))),
              "scored_at": datetime.now(UTC)}
    changed = [name for name in RESCORE_FIELDS if getattr(profile, name) != fields[name]]
    if changed and not quiet:
        await stage_event(session, CustomerRescored(
            customer_id=profile.customer_id, dealer_id=profile.dealer_id, value_type=fields["value_type"],
            lifecycle_stage=fields["lifecycle_stage"], rfm_segment=fields["rfm_segment"],
            abc_class=fields["abc_class"], clv=fields["clv"], churn_reasons=fields["churn_reasons"],
            churn_risk=fields["churn_risk"], p_alive=fields["p_alive"], rescored_at=fields["scored_at"]),
            profile.customer_id, profile.dealer_id)
    for name, value in fields.items():
        setattr(profile, name, value)
    await segments.sync_member(session, profile, dynamic, memberships, [s["age_years"] for s in states])
    return {"customer_id": profile.customer_id, **fields}, changed_vehicles


async def _publish_vehicle_changes(session: AsyncSession, profile: Profile, vehicle: VehicleProfile, state: dict,
                                   today: date) -> None:
    current = state["retention_status"]
    if current is not None and current != vehicle.retention_status:
        await stage_event(session, CustomerStatusChanged(
            customer_id=profile.customer_id, vehicle_id=vehicle.vehicle_id, dealer_id=profile.dealer_id,
            previous=vehicle.retention_status, current=current, reason=state["status_reason"],
            changed_at=datetime.now(UTC)), profile.customer_id, profile.dealer_id)
    if state["first_service_status"] == FIRST_SERVICE_LOST and vehicle.first_service_status != FIRST_SERVICE_LOST:
        await stage_event(session, FirstServiceLost(
            vehicle_id=vehicle.vehicle_id, customer_id=profile.customer_id, dealer_id=profile.dealer_id,
            delivery_date=vehicle.delivery_date, lost_on=today), profile.customer_id, profile.dealer_id)
