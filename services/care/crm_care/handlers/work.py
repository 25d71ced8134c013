"""Staff work: completing tasks, moving complaint cases, rescue requests and their status."""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care import repository
from crm_care.domain import cases as rules
from crm_care.handlers.common import create_task, stage_event
from crm_care.repository import work
from crm_contracts.events.care import CareTaskCompleted, ComplaintClosed, ComplaintResolved, RescueRequested


async def complete_task(session: AsyncSession, task: sa.Row, outcome: str, notes: str | None) -> None:
    now = datetime.now(UTC)
    await work.change_task(session, task.id, status="done", outcome=outcome, notes=notes or task.notes,
                           completed_at=now)
    if outcome == "appointment_booked" and task.vehicle_id:
        await work.appointment_booked(session, task.vehicle_id, now.date())
        await repository.suppress_service_reminders(session, task.vehicle_id, "appointment_booked")
    if task.case_id:
        await work.first_contact_made(session, task.case_id, now)
    await stage_event(session, CareTaskCompleted(task_id=task.id, customer_id=task.customer_id,
                                                 dealer_id=task.dealer_id, outcome=outcome, completed_at=now),
                      task.customer_id, task.dealer_id)


async def move_case(session: AsyncSession, case: sa.Row, action: str, resolution: str | None,
                    confirmed: bool) -> None:
    state = rules.next_case_state(case.state, action, confirmed)
    now = datetime.now(UTC)
    changes: dict = {"state": state}
    if action == "escalate":
        changes["escalation_level"] = case.escalation_level + 1
    if action == "start" and case.first_contacted_at is None:
        changes["first_contacted_at"] = now
    if action == "resolve":
        changes.update(resolution=resolution, resolved_at=now)
        await stage_event(session, ComplaintResolved(case_id=case.id, customer_id=case.customer_id,
                                                 dealer_id=case.dealer_id, alert_id=case.alert_id, resolved_at=now),
                      case.customer_id, case.dealer_id)
    if action == "close":
        changes["closed_at"] = now
        await stage_event(session, ComplaintClosed(case_id=case.id, customer_id=case.customer_id,
                                               dealer_id=case.dealer_id, closed_at=now),
                      case.customer_id, case.dealer_id)
    await work.change_case(session, case.id, **changes)


async def request_rescue(session: AsyncSession, *, dealer_id: str, customer_id: uuid.UUID,
                         vehicle_id: uuid.UUID | None, latitude: float, longitude: float, description: str,
                         rescue_id: uuid.UUID | None = None) -> uuid.UUID:
    """An urgent task for the dealer and `rescue.requested` for the roadside partner, together."""
    now = datetime.now(UTC)
    rescue_id = rescue_id or uuid.uuid4()
    await work.insert_rescue(
        session, id=rescue_id, dealer_id=dealer_id, customer_id=customer_id, vehicle_id=vehicle_id,
        latitude=latitude, longitude=longitude, description=description, status="requested", requested_at=now,
        updated_at=now)
    task_id = await create_task(session, dealer_id=dealer_id, customer_id=customer_id, kind="rescue",
                                role="service_advisor", reason="rescue", priority="urgent", due_at=now,
                                vehicle_id=vehicle_id, rescue_id=rescue_id, notes=description)
    await work.change_rescue(session, rescue_id, task_id=task_id)
    await stage_event(session, RescueRequested(rescue_id=rescue_id, customer_id=customer_id, vehicle_id=vehicle_id,
                                           dealer_id=dealer_id, latitude=latitude, longitude=longitude,
                                           description=description, requested_at=now), customer_id, dealer_id)
    return rescue_id


async def move_rescue(session: AsyncSession, rescue: sa.Row, status: str) -> None:
    await work.change_rescue(session, rescue.id, status=rules.next_rescue_state(rescue.status, status),
                             updated_at=datetime.now(UTC))
