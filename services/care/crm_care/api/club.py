"""/api/v1/care/club: the customer club (客户俱乐部), its members and activities."""

import uuid

from fastapi import APIRouter

from crm_care.api.common import BAD_CURSOR, CONFLICT, FORBIDDEN, NOT_FOUND, PREFIX, after_time_id, page, write_dealer
from crm_care.handlers import club as handlers
from crm_care.models.club import ActivityCreate, ActivityPublic, MemberCreate, MemberPublic, SignUp, SignUpPublic
from crm_care.repository import club
from crm_contracts import permissions
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.idempotency import IdempotencyKey
from crm_kit.pagination import Cursor, Limit, Page

router = APIRouter(prefix=f"{PREFIX}/club", tags=["customer club"])


@router.post("/members", status_code=201, responses=FORBIDDEN)
async def join_club(data: MemberCreate, session: SessionDep,
                    principal: Principal = require(permissions.CARE_WORK)) -> MemberPublic:
    dealer = write_dealer(principal, data.dealer_id)
    async with session.begin():
        return MemberPublic.model_validate(await handlers.join(session, dealer, data.customer_id, data.level))


@router.get("/members", responses=BAD_CURSOR)
async def list_members(session: SessionDep, principal: Principal = require(permissions.CARE_READ),
                       dealer_id: str | None = None, limit: Limit = 50, cursor: Cursor = None) -> Page[MemberPublic]:
    after = after_time_id(cursor)
    async with session.begin():
        found = await club.members_page(session, principal.dealer_filter(), dealer_id=dealer_id, after=after,
                                        limit=limit)
    return page(found, limit, MemberPublic.model_validate, lambda m: (m.joined_at.isoformat(), m.customer_id))


@router.post("/activities", status_code=201, responses=FORBIDDEN)
async def create_activity(data: ActivityCreate, session: SessionDep, idempotency_key: IdempotencyKey = None,
                          principal: Principal = require(permissions.CARE_MANAGE)) -> ActivityPublic:
    dealer = write_dealer(principal, data.dealer_id)
    async with session.begin():
        return ActivityPublic.model_validate(await handlers.create_activity(
            session, dealer, data.title, data.starts_at, data.capacity, idempotency_key))


@router.get("/activities", responses=BAD_CURSOR)
async def list_activities(session: SessionDep, principal: Principal = require(permissions.CARE_READ),
                          dealer_id: str | None = None, limit: Limit = 50,
                          cursor: Cursor = None) -> Page[ActivityPublic]:
    """In the order they start."""
    after = after_time_id(cursor)
    async with session.begin():
        found = await club.activities_page(session, principal.dealer_filter(), dealer_id=dealer_id, after=after,
                                           limit=limit)
    return page(found, limit, ActivityPublic.model_validate, lambda a: (a.starts_at.isoformat(), a.id))


@router.post("/activities/{activity_id}/signups", status_code=201, responses={**NOT_FOUND, **CONFLICT})
async def sign_up(activity_id: uuid.UUID, data: SignUp, session: SessionDep,
                  principal: Principal = require(permissions.CARE_WORK)) -> SignUpPublic:
    """Members only (422 otherwise), up to the capacity (409 when full); signing up twice is one sign-up."""
    async with session.begin():
        return await handlers.sign_up(session, principal, activity_id, data.customer_id)
