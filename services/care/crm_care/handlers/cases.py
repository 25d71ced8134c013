"""Complaint cases and rescue requests as staff and the app work them."""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.domain.cases import MoveRefused
from crm_care.handlers import surveys, work
from crm_care.handlers.common import visible
from crm_care.models.cases import CaseCreate, CaseMove, CasePublic, RescueCreate
from crm_care.repository import work as rows
from crm_kit.auth import Principal
from crm_kit.idempotency import first_answer
from crm_kit.problems import Problem, field_error, invalid, not_found


def case_public(case: sa.Row, now: datetime | None = None) -> CasePublic:
    overdue = case.first_contacted_at is None and case.first_contact_due < (now or datetime.now(UTC))
    return CasePublic.model_validate({**case._mapping, "first_contact_overdue": overdue})


async def visible_case(session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> sa.Row:
    return visible(principal, await rows.case(session, case_id), "case")


async def open_by_hand(session: AsyncSession, principal: Principal, dealer_id: str, data: CaseCreate,
                       idempotency_key: str | None) -> sa.Row:
    """The same Idempotency-Key again answers the case the first request opened; a hot alert that has its
    case already (opened by the survey's event or by a colleague) answers 409 naming it, leaving the key unused."""
    case_id = uuid.uuid4()
    earlier = await first_answer(session, idempotency_key, dealer_id, "POST /cases",
                                 data.model_dump(mode="json", exclude_unset=True), case_id)
    if earlier:
        return visible(principal, await rows.case(session, uuid.UUID(earlier.resource_id)), "case")
    if await surveys.open_case(session, dealer_id=dealer_id, customer_id=data.customer_id,
                               source="hot_alert" if data.alert_id else "manual", summary=data.summary,
                               alert_id=data.alert_id, case_id=case_id, actor=principal.subject):
        return await rows.case(session, case_id)
    existing = visible(principal, await rows.case_by_alert(session, data.alert_id), "case")
    raise Problem(409, "Conflict", "The hot alert has its case already.", case_id=str(existing.id))


async def actions_of(session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> list[sa.Row]:
    await visible_case(session, principal, case_id)
    return await rows.case_log(session, case_id)


async def move(session: AsyncSession, principal: Principal, case_id: uuid.UUID, data: CaseMove) -> sa.Row:
    if data.action == "resolve" and not data.resolution:
        raise invalid(field_error("body", "resolution", "say how the complaint was resolved"))
    if data.action == "note" and not (data.note or "").strip():
        raise invalid(field_error("body", "note", "say what was done or said"))
    case = await visible_case(session, principal, case_id)
    if data.action != "note":
        try:
            await work.move_case(session, case, data.action, data.resolution, data.resolution_confirmed)
        except MoveRefused as error:
            raise Problem(409, "Conflict", str(error)) from error
    note = data.resolution if data.action == "resolve" else data.note
    await rows.record_case_action(session, case_id=case.id, dealer_id=case.dealer_id, action=data.action,
                                  actor=principal.subject, at=datetime.now(UTC), note=note)
    return await rows.case(session, case_id)


async def request_rescue(session: AsyncSession, dealer_id: str, data: RescueCreate,
                         idempotency_key: str | None) -> sa.Row:
    """The app retries on a bad network with the same Idempotency-Key: it gets the first request back."""
    rescue_id = uuid.uuid4()
    earlier = await first_answer(session, idempotency_key, dealer_id, "POST /rescue",
                                 data.model_dump(mode="json", exclude_unset=True), rescue_id)
    if earlier:
        rescue_id = uuid.UUID(earlier.resource_id)
    else:
        await work.request_rescue(session, dealer_id=dealer_id, rescue_id=rescue_id,
                                  **data.model_dump(exclude={"dealer_id"}))
    if (rescue := await rows.rescue(session, rescue_id)) is None:
        raise not_found("rescue")
    return rescue


async def move_rescue(session: AsyncSession, principal: Principal, rescue_id: uuid.UUID, status: str) -> sa.Row:
    rescue = visible(principal, await rows.rescue(session, rescue_id), "rescue")
    try:
        await work.move_rescue(session, rescue, status)
    except MoveRefused as error:
        raise Problem(409, "Conflict", str(error)) from error
    return await rows.rescue(session, rescue_id)
