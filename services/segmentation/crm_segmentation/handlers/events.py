"""One use case per customer-service event: store the fact, then refresh the customers it touches.

Every handler tolerates events for ids it has not seen (it starts the profile or vehicle) and replays
(visits are keyed by their id; the inbox drops re-deliveries).
"""

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts.events import customer as events
from crm_segmentation.handlers import profiles, segments
from crm_segmentation.handlers.context import Context
from crm_segmentation.models import OdometerReading, Visit
from crm_segmentation.repository import profiles as repository


async def customer_registered(session: AsyncSession, fact: events.CustomerRegistered, context: Context) -> None:
    await repository.ensure_profile(session, fact.customer_id, fact.dealer_id)
    await repository.set_profile_fields(session, fact.customer_id, kind=fact.kind, status=fact.status,
                                        registered_at=fact.registered_at)
    await profiles.refresh(session, fact.customer_id, context)


async def customer_updated(session: AsyncSession, fact: events.CustomerUpdated, context: Context) -> None:
    await repository.ensure_profile(session, fact.customer_id, fact.dealer_id)
    await repository.set_profile_fields(session, fact.customer_id, kind=fact.kind, status=fact.status)
    await profiles.refresh(session, fact.customer_id, context)


async def lead_converted(session: AsyncSession, fact: events.LeadConverted, context: Context) -> None:
    await repository.ensure_profile(session, fact.customer_id, fact.dealer_id)
    await repository.set_profile_fields(session, fact.customer_id, status="customer")
    await profiles.refresh(session, fact.customer_id, context)


async def customer_merged(session: AsyncSession, fact: events.CustomerMerged, context: Context) -> None:
    """The duplicate's visits and vehicles move to the survivor; the duplicate leaves every segment."""
    await repository.ensure_profile(session, fact.survivor_id, fact.dealer_id)
    await repository.ensure_profile(session, fact.duplicate_id, fact.dealer_id)
    await repository.move_customer_data(session, fact.duplicate_id, fact.survivor_id)
    await repository.set_profile_fields(session, fact.duplicate_id, merged_into=fact.survivor_id)
    duplicate = await repository.get_profile(session, fact.duplicate_id)
    await segments.sync_member(session, duplicate)
    await profiles.refresh(session, fact.survivor_id, context)


async def customer_erased(session: AsyncSession, fact: events.CustomerErased, context: Context) -> None:
    """Nothing personal is kept here (no name, phone or birthday): the profile keeps its anonymous visit
    figures, is marked erased, leaves every segment and gets no further events."""
    await repository.ensure_profile(session, fact.customer_id, fact.dealer_id)
    await repository.set_profile_fields(session, fact.customer_id, erased=True)
    await profiles.refresh(session, fact.customer_id, context)


async def consent_changed(session: AsyncSession, fact: events.ConsentChanged, context: Context) -> None:
    """Consent decides contact (care's business), not value: only make sure the customer is known."""
    await repository.ensure_profile(session, fact.customer_id, fact.dealer_id)


async def vehicle_registered(session: AsyncSession, fact: events.VehicleRegistered | events.VehicleUpdated,
                             context: Context) -> None:
    await repository.ensure_profile(session, fact.customer_id, fact.dealer_id)
    await repository.upsert_vehicle(session, fact.vehicle_id, customer_id=fact.customer_id,
                                    dealer_id=fact.dealer_id, brand=fact.brand, model=fact.model,
                                    delivery_date=fact.delivery_date, sold_by_dealer=fact.sold_by_dealer)
    await profiles.refresh(session, fact.customer_id, context)


async def vehicle_transferred(session: AsyncSession, fact: events.VehicleTransferred, context: Context) -> None:
    """The vehicle (and its service history) goes to the new owner; the old owner keeps its own visits."""
    await repository.ensure_profile(session, fact.to_customer_id, fact.dealer_id)
    await repository.ensure_vehicle(session, fact.vehicle_id, fact.to_customer_id, fact.dealer_id)
    await repository.upsert_vehicle(session, fact.vehicle_id, customer_id=fact.to_customer_id,
                                    dealer_id=fact.dealer_id)
    await profiles.refresh(session, fact.from_customer_id, context)
    await profiles.refresh(session, fact.to_customer_id, context)


async def odometer_recorded(session: AsyncSession, fact: events.OdometerRecorded, context: Context) -> None:
    await repository.ensure_profile(session, fact.customer_id, fact.dealer_id)
    await repository.ensure_vehicle(session, fact.vehicle_id, fact.customer_id, fact.dealer_id)
    await repository.add_reading(session, OdometerReading(vehicle_id=fact.vehicle_id, read_on=fact.read_on,
                                                          km=fact.km, correction=fact.correction))
    await profiles.refresh(session, fact.customer_id, context)


async def visit_recorded(session: AsyncSession, fact: events.VisitRecorded, context: Context) -> None:
    await repository.ensure_profile(session, fact.customer_id, fact.dealer_id)
    await repository.add_visit(session, Visit(
        visit_id=fact.visit_id, customer_id=fact.customer_id, vehicle_id=fact.vehicle_id, dealer_id=fact.dealer_id,
        kind=fact.kind, subkind=fact.subkind, visited_on=fact.visited_on, amount=fact.amount, margin=fact.margin))
    if fact.vehicle_id is not None:
        await repository.ensure_vehicle(session, fact.vehicle_id, fact.customer_id, fact.dealer_id,
                                        delivery_date=fact.vehicle_delivery_date)
        if fact.odometer_km is not None:
            await repository.add_reading(session, OdometerReading(
                vehicle_id=fact.vehicle_id, read_on=fact.visited_on, km=fact.odometer_km))
    await profiles.refresh(session, fact.customer_id, context)
