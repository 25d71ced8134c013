"""What care learns from other services' events: upserts that tolerate any order and any replay."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care import repository
from crm_care.domain import plans as rules
from crm_care.domain.reminders import add_months
from crm_care.handlers.common import dealer_today, local_morning
from crm_care.models import customers, vehicles
from crm_care.repository import facts
from crm_contracts.events import customer as c
from crm_contracts.events import segmentation as s

CUSTOMER_COLUMNS = ("birthday", "lunar_birthday", "lunar_birthday_md", "language", "gender")
VEHICLE_DATES = ("delivery_date", "registration_date", "warranty_end", "insurance_expiry")


async def customer_known(session: AsyncSession, event: c.CustomerRegistered | c.CustomerUpdated) -> None:
    facts = {name: getattr(event, name) for name in CUSTOMER_COLUMNS}
    await repository.upsert(session, customers, ["customer_id"], {
        "customer_id": event.customer_id, "dealer_id": event.dealer_id, **facts,
        "updated_at": datetime.now(UTC)})


async def customer_erased(session: AsyncSession, event: c.CustomerErased) -> None:
    """Stop every contact at once: drop what is pending and forget the greeting facts."""
    await repository.upsert(session, customers, ["customer_id"], {
        "customer_id": event.customer_id, "dealer_id": event.dealer_id, "erased_at": event.erased_at,
        "birthday": None, "lunar_birthday_md": None, "gender": None})
    await facts.stop_contacting(session, event.customer_id)


async def customer_merged(session: AsyncSession, event: c.CustomerMerged) -> None:
    """The duplicate's vehicles, tasks and pending actions now belong to the survivor."""
    duplicate, survivor = event.duplicate_id, event.survivor_id
    await repository.upsert(session, customers, ["customer_id"], {
        "customer_id": duplicate, "dealer_id": event.dealer_id, "merged_into": survivor})
    await facts.move_to_survivor(session, duplicate, survivor)


async def consent_changed(session: AsyncSession, event: c.ConsentChanged) -> None:
    await facts.record_consent(session, event.customer_id, event.purpose, event.channel, event.granted,
                               event.changed_at)


async def vehicle_known(session: AsyncSession, event: c.VehicleRegistered | c.VehicleUpdated) -> None:
    dates = {name: getattr(event, name) for name in VEHICLE_DATES}
    await repository.upsert(session, vehicles, ["vehicle_id"], {
        "vehicle_id": event.vehicle_id, "customer_id": event.customer_id, "dealer_id": event.dealer_id, **dates})


async def vehicle_transferred(session: AsyncSession, event: c.VehicleTransferred) -> None:
    await facts.change_vehicle(session, event.vehicle_id, customer_id=event.to_customer_id)
    await facts.drop_pending_for_vehicle(session, event.vehicle_id, "transferred")


async def odometer_recorded(session: AsyncSession, event: c.OdometerRecorded) -> None:
    """Keep the first and the latest reading: the vehicle's own pace lies between them."""
    row = await repository.get_vehicle(session, event.vehicle_id)
    if row is None:
        await repository.upsert(session, vehicles, ["vehicle_id"], {
            "vehicle_id": event.vehicle_id, "customer_id": event.customer_id, "dealer_id": event.dealer_id,
            "first_km": event.km, "first_read_on": event.read_on, "last_km": event.km, "last_read_on": event.read_on})
        return
    changes = {}
    if row.first_read_on is None or event.read_on < row.first_read_on:
        changes.update(first_km=event.km, first_read_on=event.read_on)
    if row.last_read_on is None or event.read_on >= row.last_read_on:
        changes.update(last_km=event.km, last_read_on=event.read_on)
    if changes:
        await facts.change_vehicle(session, event.vehicle_id, **changes)


async def visit_recorded(session: AsyncSession, event: c.VisitRecorded) -> None:
    """A service visit moves the maintenance clock; deliveries and services get 回访 calls while still due.

    Reminders are not computed here but by the due-scan from the vehicle's latest state, so replaying
    years of visits leaves one reminder (from the latest service), not one per visit.
    """
    plans = await repository.dealer_plans(session, event.dealer_id)
    if event.vehicle_id and event.kind == "service" and event.subkind in ("first_service", "maintenance"):
        # the maintenance clock restarts with a maintenance, not with a repair
        row = await repository.get_vehicle(session, event.vehicle_id)
        changes = {"first_service_done": True}
        latest = row is None or row.last_service_on is None or event.visited_on >= row.last_service_on
        if latest:
            changes.update(last_service_on=event.visited_on, last_service_km=event.odometer_km)
        await repository.upsert(session, vehicles, ["vehicle_id"], {
            "vehicle_id": event.vehicle_id, "customer_id": event.customer_id, "dealer_id": event.dealer_id,
            **changes})
        if latest:  # an older visit arriving late leaves the reminder of the latest one standing
            await repository.suppress_service_reminders(session, event.vehicle_id, "service_done")
    if event.vehicle_id and event.odometer_km is not None:
        await odometer_recorded(session, c.OdometerRecorded(
            vehicle_id=event.vehicle_id, customer_id=event.customer_id, dealer_id=event.dealer_id,
            km=event.odometer_km, read_on=event.visited_on))
    rule = {"purchase": "delivery_follow_up", "service": "service_follow_up"}.get(event.kind)
    if rule and plans[rule]["enabled"]:
        calls = rules.follow_up_calls(rule, event.customer_id, event.dealer_id, event.visit_id, event.visited_on,
                                      event.vehicle_id, plans[rule], await dealer_today(session, event.dealer_id))
        await repository.store_occasions(
            session, calls, {o.key: await local_morning(session, o.dealer_id, o.due_on) for o in calls})


async def status_changed(session: AsyncSession, event: s.CustomerStatusChanged) -> None:
    """Win-back: a dormant or lost customer gets a call from the CR activity owner, while the change is news."""
    plan = (await repository.dealer_plans(session, event.dealer_id))["win_back"]
    if not plan["enabled"] or event.current not in plan["statuses"]:
        return
    changed_on = event.changed_at.date()
    if not rules.still_due(changed_on, await dealer_today(session, event.dealer_id), plan["window_days"]):
        return
    subject = event.vehicle_id or event.customer_id
    occasion = rules.Occasion(
        rule="win_back", key=f"win_back:{subject}:{event.current}:{changed_on.isoformat()}",
        due_on=changed_on, action="task", customer_id=event.customer_id, dealer_id=event.dealer_id,
        vehicle_id=event.vehicle_id, variables={"status": event.current, "reason": event.reason})
    await repository.store_occasions(session, [occasion], {occasion.key: event.changed_at})


async def first_service_lost(session: AsyncSession, event: s.FirstServiceLost) -> None:
    """首保流失: a call to win the first service back, once per vehicle, while the loss is recent.

    The loss dates from the delivery (`lost_after_months` later), not from when it was noticed: a car
    delivered years ago, imported today, is not called about its first service.
    """
    plan = (await repository.dealer_plans(session, event.dealer_id))["first_service_lost"]
    if not plan["enabled"]:
        return
    lost_on = min(event.lost_on, add_months(event.delivery_date, plan["lost_after_months"]))
    if not rules.still_due(lost_on, await dealer_today(session, event.dealer_id), plan["window_days"]):
        return
    occasion = rules.Occasion(
        rule="first_service_lost", key=f"first_service_lost:{event.vehicle_id}", due_on=event.lost_on,
        action="task", customer_id=event.customer_id, dealer_id=event.dealer_id, vehicle_id=event.vehicle_id,
        variables={"delivery_date": event.delivery_date.isoformat()})
    await repository.store_occasions(session, [occasion], {occasion.key: datetime.now(UTC)})
