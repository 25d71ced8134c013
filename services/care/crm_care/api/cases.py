"""/api/v1/care/cases (complaints), /rescue (from the mobile app) and /club (客户俱乐部)."""

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Header
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.dialects.postgresql import insert

from crm_care import repository
from crm_care.api.common import PREFIX, as_dict, visible, write_dealer
from crm_care.domain.cases import MoveRefused
from crm_care.handlers import surveys, work
from crm_care.models import cases, club_activities, club_members, club_signups, rescues
from crm_contracts import permissions
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.pagination import Limit
from crm_kit.problems import Problem, field_error, invalid

router = APIRouter(prefix=f"{PREFIX}/cases", tags=["complaint cases"])
rescue_router = APIRouter(prefix=f"{PREFIX}/rescue", tags=["rescue"])
club_router = APIRouter(prefix=f"{PREFIX}/club", tags=["customer club"])
IdempotencyKey = Annotated[str | None, Header(max_length=200, description="Retry with the same key: one request")]


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID
    dealer_id: str | None = None
    summary: str = Field(min_length=1, max_length=2000)


class CaseMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["start", "resolve", "close", "reopen", "escalate"]
    resolution: str | None = Field(None, max_length=2000)
    resolution_confirmed: bool = Field(False, description="The customer confirmed the resolution (to close)")


class RescueCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID
    vehicle_id: uuid.UUID | None = None
    dealer_id: str | None = None
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    description: str = Field(min_length=1, max_length=2000)


class RescueMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["dispatched", "arrived", "completed", "cancelled"]


class MemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID
    dealer_id: str | None = None
    level: str = Field("member", min_length=1, max_length=40)


class ActivityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dealer_id: str | None = None
    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    capacity: int = Field(ge=1, le=10_000)


class SignUp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID


async def _case(session, principal: Principal, case_id: uuid.UUID) -> sa.Row:
    return visible(principal, await repository.one(session, sa.select(cases).where(cases.c.id == case_id)), "case")


@router.post("", status_code=201)
async def open_case(data: CaseCreate, session: SessionDep, idempotency_key: IdempotencyKey = None,
                    principal: Principal = require(permissions.CARE_WORK)) -> dict:
    dealer = write_dealer(principal, data.dealer_id)
    async with session.begin():
        case_id = await surveys.open_case(session, dealer_id=dealer, customer_id=data.customer_id, source="manual",
                                          summary=data.summary, idempotency_key=idempotency_key)
        if case_id is None:  # the same request again
            case_id = (await repository.one(session, sa.select(cases.c.id).where(
                cases.c.dealer_id == dealer, cases.c.idempotency_key == idempotency_key))).id
        return as_dict(await _case(session, principal, case_id))


@router.get("")
async def list_cases(session: SessionDep, principal: Principal = require(permissions.CARE_READ),
                     customer_id: uuid.UUID | None = None,
                     state: Literal["open", "in_progress", "resolved", "closed"] | None = None,
                     limit: Limit = 50) -> list[dict]:
    query = surveys.case_query(principal.dealer_filter())
    if customer_id:
        query = query.where(cases.c.customer_id == customer_id)
    if state:
        query = query.where(cases.c.state == state)
    async with session.begin():
        return [as_dict(r) for r in await repository.rows(session, query.order_by(cases.c.opened_at).limit(limit))]


@router.get("/{case_id}")
async def get_case(case_id: uuid.UUID, session: SessionDep,
                   principal: Principal = require(permissions.CARE_READ)) -> dict:
    async with session.begin():
        case = as_dict(await _case(session, principal, case_id))
    case["first_contact_overdue"] = case["first_contacted_at"] is None and case["first_contact_due"] < datetime.now(UTC)
    return case


@router.post("/{case_id}/actions")
async def move_case(case_id: uuid.UUID, data: CaseMove, session: SessionDep,
                    principal: Principal = require(permissions.CARE_WORK)) -> dict:
    if data.action == "resolve" and not data.resolution:
        raise invalid(field_error("body", "resolution", "say how the complaint was resolved"))
    async with session.begin():
        case = await _case(session, principal, case_id)
        try:
            await work.move_case(session, case, data.action, data.resolution, data.resolution_confirmed)
        except MoveRefused as error:
            raise Problem(409, "Conflict", str(error)) from error
        return as_dict(await _case(session, principal, case_id))


@rescue_router.post("", status_code=201)
async def request_rescue(data: RescueCreate, session: SessionDep, idempotency_key: IdempotencyKey = None,
                         principal: Principal = require(permissions.RESCUE_REQUEST)) -> dict:
    dealer = write_dealer(principal, data.dealer_id)
    async with session.begin():
        rescue_id = await work.request_rescue(session, dealer_id=dealer, idempotency_key=idempotency_key,
                                              **data.model_dump(exclude={"dealer_id"}))
        return as_dict(await repository.one(session, sa.select(rescues).where(rescues.c.id == rescue_id)))


@rescue_router.get("/{rescue_id}")
async def get_rescue(rescue_id: uuid.UUID, session: SessionDep,
                     principal: Principal = require(permissions.RESCUE_REQUEST)) -> dict:
    async with session.begin():
        row = await repository.one(session, sa.select(rescues).where(rescues.c.id == rescue_id))
    return as_dict(visible(principal, row, "rescue"))


@rescue_router.post("/{rescue_id}/status")
async def move_rescue(rescue_id: uuid.UUID, data: RescueMove, session: SessionDep,
                      principal: Principal = require(permissions.CARE_WORK)) -> dict:
    async with session.begin():
        rescue = visible(principal, await repository.one(
            session, sa.select(rescues).where(rescues.c.id == rescue_id)), "rescue")
        try:
            await work.move_rescue(session, rescue, data.status)
        except MoveRefused as error:
            raise Problem(409, "Conflict", str(error)) from error
        return as_dict(await repository.one(session, sa.select(rescues).where(rescues.c.id == rescue_id)))


@club_router.post("/members", status_code=201)
async def join_club(data: MemberCreate, session: SessionDep,
                    principal: Principal = require(permissions.CARE_WORK)) -> dict:
    dealer = write_dealer(principal, data.dealer_id)
    values = {"dealer_id": dealer, "customer_id": data.customer_id, "level": data.level,
              "joined_at": datetime.now(UTC)}
    async with session.begin():
        await repository.upsert(session, club_members, ["dealer_id", "customer_id"], values)
    return values


@club_router.post("/activities", status_code=201)
async def create_activity(data: ActivityCreate, session: SessionDep,
                          principal: Principal = require(permissions.CARE_MANAGE)) -> dict:
    values = {"id": uuid.uuid4(), **data.model_dump(), "dealer_id": write_dealer(principal, data.dealer_id)}
    async with session.begin():
        await session.exec(sa.insert(club_activities).values(**values))
    return values


@club_router.post("/activities/{activity_id}/signups", status_code=201)
async def sign_up(activity_id: uuid.UUID, data: SignUp, session: SessionDep,
                  principal: Principal = require(permissions.CARE_WORK)) -> dict:
    """Members only, up to the activity's capacity; signing up twice is one sign-up."""
    async with session.begin():
        activity = visible(principal, await repository.one(session, sa.select(club_activities).where(
            club_activities.c.id == activity_id).with_for_update()), "activity")
        member = await repository.one(session, sa.select(club_members).where(
            club_members.c.dealer_id == activity.dealer_id, club_members.c.customer_id == data.customer_id))
        if member is None:
            raise invalid(field_error("body", "customer_id", "not a club member at this dealer"))
        taken = (await session.exec(sa.select(sa.func.count()).select_from(club_signups).where(
            club_signups.c.activity_id == activity_id))).scalar_one()
        if taken >= activity.capacity:
            raise Problem(409, "Conflict", "The activity is full.")
        await session.exec(insert(club_signups).values(
            activity_id=activity_id, customer_id=data.customer_id, signed_up_at=datetime.now(UTC),
        ).on_conflict_do_nothing())
        return {"activity_id": activity_id, "customer_id": data.customer_id, "signed_up": taken + 1}
