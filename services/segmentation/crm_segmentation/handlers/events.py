"""One use case per customer-service event: record the fact and mark the customers it touches.

The customers a transaction's events touched are refreshed once, after its last event and before it
commits (`for_transaction`): a poll of 500 events about 50 customers computes 50 profiles, not 500, from
the same stored facts the last of those events would have seen. States a customer passes through within
one transaction are therefore not announced, only where it ends up. Visits and readings are collected
and inserted together before anything reads them (`store_facts`).

Every handler tolerates events for ids it has not seen (it starts the profile or vehicle) and replays
(visits are keyed by their id; the inbox drops re-deliveries).
"""

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts.events import customer as events
from crm_kit.inbox import defer
from crm_segmentation.handlers import imports, profiles, segments
from crm_segmentation.handlers.context import Clock, Context, Pending
from crm_segmentation.repository import profiles as repository

CONTEXT = "crm_segmentation.context"


def for_transaction(session: AsyncSession, clock: Clock) -> Context:
    """The context every event of this transaction shares; its touched customers are refreshed before commit."""
    context = session.info.get(CONTEXT)
    if context is None:
        context = session.info[CONTEXT] = Context(clock)

        async def refresh_touched(session: AsyncSession) -> None:
            del session.info[CONTEXT]  # an event handled after this refresh starts a new context and refresh
            await store_facts(session, context)
            async with segments.batched(session):
                await profiles.refresh(session, context.touched, context)
            await imports.settle(session, context.landing)  # last: holds the import's row lock briefly

        defer(session, CONTEXT, refresh_touched)
    return context


async def store_facts(session: AsyncSession, context: Context) -> None:
    """Store what the events so far collected: profiles and vehicles first started, then their fields, then
    visits and readings (one statement each, however many events)."""
    pending, context.pending = context.pending, Pending()
    await repository.ensure_profiles(session, [{"customer_id": c, "dealer_id": d} for c, d in pending.profiles.items()])
    await repository.set_profiles_fields(session, pending.profile_fields)
    await repository.ensure_vehicles(session, [{"vehicle_id": v, **row} for v, row in pending.vehicles.items()])
    await repository.upsert_vehicles(session, pending.vehicle_fields)
    await repository.add_visits(session, pending.visits)
    await repository.add_readings(session, pending.readings)


def _ensure_profile(context: Context, customer_id: uuid.UUID, dealer_id: str) -> None:
    """Events may arrive for a customer whose registration has not: the profile starts empty."""
    context.pending.profiles.setdefault(customer_id, dealer_id)


def _ensure_vehicle(context: Context, vehicle_id: uuid.UUID, customer_id: uuid.UUID, dealer_id: str,
                    delivery_date=None) -> None:
    """A visit or reading may name a vehicle before its registration arrives."""
    context.pending.vehicles.setdefault(vehicle_id, {"customer_id": customer_id, "dealer_id": dealer_id,
                                                     "delivery_date": delivery_date})


async def customer_registered(session: AsyncSession, fact: events.CustomerRegistered, context: Context) -> None:
    _ensure_profile(context, fact.customer_id, fact.dealer_id)
    context.pending.set_profile(fact.customer_id, kind=fact.kind, status=fact.status,
                                registered_at=fact.registered_at)
    context.touch(fact.customer_id)


async def customer_updated(session: AsyncSession, fact: events.CustomerUpdated, context: Context) -> None:
    _ensure_profile(context, fact.customer_id, fact.dealer_id)
    context.pending.set_profile(fact.customer_id, kind=fact.kind, status=fact.status)
    context.touch(fact.customer_id)


async def lead_converted(session: AsyncSession, fact: events.LeadConverted, context: Context) -> None:
    _ensure_profile(context, fact.customer_id, fact.dealer_id)
    context.pending.set_profile(fact.customer_id, status="customer")
    context.touch(fact.customer_id)


async def customer_merged(session: AsyncSession, fact: events.CustomerMerged, context: Context) -> None:
    """The duplicate's visits and vehicles move to the survivor; the duplicate leaves every segment."""
    _ensure_profile(context, fact.survivor_id, fact.dealer_id)
    _ensure_profile(context, fact.duplicate_id, fact.dealer_id)
    await store_facts(session, context)  # the duplicate's visits and vehicles of this batch move too
    await repository.move_customer_data(session, fact.duplicate_id, fact.survivor_id)
    await repository.set_profile_fields(session, fact.duplicate_id, merged_into=fact.survivor_id)
    duplicate = await repository.get_profile(session, fact.duplicate_id)
    await segments.sync_member(session, duplicate)
    context.touch(fact.survivor_id)


async def customer_erased(session: AsyncSession, fact: events.CustomerErased, context: Context) -> None:
    """Nothing personal is kept here (no name, phone or birthday): the profile keeps its anonymous visit
    figures, is marked erased, leaves every segment and gets no further events."""
    _ensure_profile(context, fact.customer_id, fact.dealer_id)
    context.pending.set_profile(fact.customer_id, erased=True)
    context.touch(fact.customer_id)


async def lead_created(session: AsyncSession, fact: events.LeadCreated, context: Context) -> None:
    """A lead has no customer id until it converts: nothing to record (handled only so an imported lead
    counts as applied)."""


async def import_completed(session: AsyncSession, fact: events.ImportCompleted, context: Context) -> None:
    context.landing.complete(fact.job_id, fact.dealer_id, fact.events, fact.completed_at)


async def consent_changed(session: AsyncSession, fact: events.ConsentChanged, context: Context) -> None:
    """Consent decides contact (care's business), not value: only make sure the customer is known."""
    _ensure_profile(context, fact.customer_id, fact.dealer_id)


async def vehicle_registered(session: AsyncSession, fact: events.VehicleRegistered | events.VehicleUpdated,
                             context: Context) -> None:
    _ensure_profile(context, fact.customer_id, fact.dealer_id)
    context.pending.set_vehicle(fact.vehicle_id, customer_id=fact.customer_id, dealer_id=fact.dealer_id,
                                brand=fact.brand, model=fact.model, delivery_date=fact.delivery_date,
                                sold_by_dealer=fact.sold_by_dealer)
    context.touch(fact.customer_id)


async def vehicle_transferred(session: AsyncSession, fact: events.VehicleTransferred, context: Context) -> None:
    """The vehicle (and its service history) goes to the new owner; the old owner keeps its own visits."""
    _ensure_profile(context, fact.to_customer_id, fact.dealer_id)
    _ensure_vehicle(context, fact.vehicle_id, fact.to_customer_id, fact.dealer_id)
    context.pending.set_vehicle(fact.vehicle_id, customer_id=fact.to_customer_id, dealer_id=fact.dealer_id)
    context.touch(fact.from_customer_id)
    context.touch(fact.to_customer_id)


async def odometer_recorded(session: AsyncSession, fact: events.OdometerRecorded, context: Context) -> None:
    _ensure_profile(context, fact.customer_id, fact.dealer_id)
    _ensure_vehicle(context, fact.vehicle_id, fact.customer_id, fact.dealer_id)
    context.pending.readings.append({"vehicle_id": fact.vehicle_id, "read_on": fact.read_on, "km": fact.km,
                             "correction": fact.correction})
    context.touch(fact.customer_id)


async def visit_recorded(session: AsyncSession, fact: events.VisitRecorded, context: Context) -> None:
    _ensure_profile(context, fact.customer_id, fact.dealer_id)
    context.pending.visits.append({
        "visit_id": fact.visit_id, "customer_id": fact.customer_id, "vehicle_id": fact.vehicle_id,
        "dealer_id": fact.dealer_id, "kind": fact.kind, "subkind": fact.subkind, "visited_on": fact.visited_on,
        "amount": fact.amount, "margin": fact.margin})
    if fact.vehicle_id is not None:
        _ensure_vehicle(context, fact.vehicle_id, fact.customer_id, fact.dealer_id,
                        delivery_date=fact.vehicle_delivery_date)
        if fact.odometer_km is not None:
            context.pending.readings.append({"vehicle_id": fact.vehicle_id, "read_on": fact.visited_on,
                                             "km": fact.odometer_km, "correction": False})
    context.touch(fact.customer_id)
