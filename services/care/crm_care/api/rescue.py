"""/api/v1/care/rescue: roadside rescue requested from the mobile app."""

import uuid
from typing import Literal

from fastapi import APIRouter

from crm_care.api.common import BAD_CURSOR, CONFLICT, FORBIDDEN, NOT_FOUND, PREFIX, after_time_id, page, write_dealer
from crm_care.handlers import cases as handlers
from crm_care.handlers.common import visible
from crm_care.models.cases import RescueCreate, RescueMove, RescuePublic
from crm_care.repository import work
from crm_contracts import permissions
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.idempotency import IdempotencyKey
from crm_kit.pagination import Cursor, Limit, Page

router = APIRouter(prefix=f"{PREFIX}/rescue", tags=["rescue"])


@router.post("", status_code=201, responses=FORBIDDEN)
async def request_rescue(data: RescueCreate, session: SessionDep, idempotency_key: IdempotencyKey = None,
                         principal: Principal = require(permissions.RESCUE_REQUEST)) -> RescuePublic:
    """An urgent task for the dealer and `rescue.requested` for the roadside partner."""
    dealer = write_dealer(principal, data.dealer_id)
    async with session.begin():
        return RescuePublic.model_validate(await handlers.request_rescue(session, dealer, data, idempotency_key))


@router.get("", responses=BAD_CURSOR)
async def list_rescues(session: SessionDep, principal: Principal = require(permissions.CARE_READ),
                       customer_id: uuid.UUID | None = None,
                       status: Literal["requested", "dispatched", "arrived", "completed", "cancelled"] | None = None,
                       limit: Limit = 50, cursor: Cursor = None) -> Page[RescuePublic]:
    after = after_time_id(cursor)
    async with session.begin():
        found = await work.rescues_page(session, principal.dealer_filter(), customer_id=customer_id, status=status,
                                        after=after, limit=limit)
    return page(found, limit, RescuePublic.model_validate, lambda r: (r.requested_at.isoformat(), r.id))


@router.get("/{rescue_id}", responses=NOT_FOUND)
async def get_rescue(rescue_id: uuid.UUID, session: SessionDep,
                     principal: Principal = require(permissions.RESCUE_REQUEST)) -> RescuePublic:
    async with session.begin():
        return RescuePublic.model_validate(visible(principal, await work.rescue(session, rescue_id), "rescue"))


@router.post("/{rescue_id}/status", responses={**NOT_FOUND, **CONFLICT})
async def move_rescue(rescue_id: uuid.UUID, data: RescueMove, session: SessionDep,
                      principal: Principal = require(permissions.CARE_WORK)) -> RescuePublic:
    async with session.begin():
        return RescuePublic.model_validate(await handlers.move_rescue(session, principal, rescue_id, data.status))
