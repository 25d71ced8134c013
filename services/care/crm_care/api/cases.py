"""/api/v1/care/cases: complaint cases, opened by hand or from a survey's hot alert."""

import uuid
from typing import Literal

from fastapi import APIRouter

from crm_care.api.common import BAD_CURSOR, CONFLICT, FORBIDDEN, NOT_FOUND, PREFIX, after_time_id, page, write_dealer
from crm_care.handlers import cases as handlers
from crm_care.models.cases import CaseActionLog, CaseActionPublic, CaseCreate, CaseMove, CasePublic
from crm_care.repository import work
from crm_contracts import permissions
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.idempotency import IdempotencyKey
from crm_kit.pagination import Cursor, Limit, Page
from crm_kit.responses import problems

router = APIRouter(prefix=f"{PREFIX}/cases", tags=["complaint cases"])


ALERT_HAS_CASE = problems(409, s409="The hot alert (`alert_id`) has its case already: the problem's `case_id` "
                                    "names it")


@router.post("", status_code=201, responses={**FORBIDDEN, **ALERT_HAS_CASE})
async def open_case(data: CaseCreate, session: SessionDep, idempotency_key: IdempotencyKey = None,
                    principal: Principal = require(permissions.CARE_WORK)) -> CasePublic:
    """With its urgent first-contact call for the CS survey desk and `complaint.opened`. With `alert_id`, the
    case answers that survey hot alert (source `hot_alert`); one alert opens one case."""
    dealer = write_dealer(principal, data.dealer_id)
    async with session.begin():
        case = await handlers.open_by_hand(session, principal, dealer, data, idempotency_key)
        return handlers.case_public(case)


@router.get("", responses=BAD_CURSOR)
async def list_cases(session: SessionDep, principal: Principal = require(permissions.CARE_READ),
                     customer_id: uuid.UUID | None = None,
                     state: Literal["open", "in_progress", "resolved", "closed"] | None = None,
                     limit: Limit = 50, cursor: Cursor = None) -> Page[CasePublic]:
    """Oldest first: the longest-waiting complaint is the first to work."""
    after = after_time_id(cursor)
    async with session.begin():
        found = await work.cases_page(session, principal.dealer_filter(), customer_id=customer_id, state=state,
                                      after=after, limit=limit)
    return page(found, limit, handlers.case_public, lambda c: (c.opened_at.isoformat(), c.id))


@router.get("/{case_id}", responses=NOT_FOUND)
async def get_case(case_id: uuid.UUID, session: SessionDep,
                   principal: Principal = require(permissions.CARE_READ)) -> CasePublic:
    async with session.begin():
        return handlers.case_public(await handlers.visible_case(session, principal, case_id))


@router.get("/{case_id}/actions", responses=NOT_FOUND)
async def case_actions(case_id: uuid.UUID, session: SessionDep,
                       principal: Principal = require(permissions.CARE_READ)) -> CaseActionLog:
    """What was done on the case, oldest first: opened, its first-contact call taken and made, the staff's moves
    and notes, each with who did it."""
    async with session.begin():
        logged = await handlers.actions_of(session, principal, case_id)
    return CaseActionLog(items=[CaseActionPublic.model_validate(row) for row in logged])


@router.post("/{case_id}/actions", responses={**NOT_FOUND, **CONFLICT})
async def move_case(case_id: uuid.UUID, data: CaseMove, session: SessionDep,
                    principal: Principal = require(permissions.CARE_WORK)) -> CasePublic:
    """start, resolve (with `resolution`), close (once the customer confirmed), reopen, escalate; `note` (with
    `note`) only adds to the case's actions. Each is kept in the case's actions with who did it."""
    async with session.begin():
        return handlers.case_public(await handlers.move(session, principal, case_id, data))
