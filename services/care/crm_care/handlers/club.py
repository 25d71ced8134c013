"""The customer club: members join, managers plan activities, members sign up up to the capacity."""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_care.domain.club import SignUpRefused, check_room
from crm_care.models.club import SignUpPublic
from crm_care.repository import club
from crm_kit.auth import Principal, check_dealer
from crm_kit.idempotency import first_answer
from crm_kit.problems import Problem, field_error, invalid, not_found


async def join(session: AsyncSession, dealer_id: str, customer_id: uuid.UUID, level: str) -> sa.Row:
    """Joining again changes the level; `joined_at` is the latest joining."""
    return await club.save_member(session, dealer_id=dealer_id, customer_id=customer_id, level=level,
                                  joined_at=datetime.now(UTC))


async def create_activity(session: AsyncSession, dealer_id: str, title: str, starts_at: datetime,
                          capacity: int, idempotency_key: str | None = None) -> sa.Row:
    """A keyed retry answers the activity the first request created (joining and signing up repeat harmlessly
    without a key)."""
    activity_id = uuid.uuid4()
    earlier = await first_answer(session, idempotency_key, dealer_id, "POST /club/activities",
                                 {"title": title, "starts_at": starts_at, "capacity": capacity}, activity_id)
    if not earlier:
        return await club.insert_activity(session, id=activity_id, dealer_id=dealer_id, title=title,
                                          starts_at=starts_at, capacity=capacity)
    if (first := await club.activity(session, uuid.UUID(earlier.resource_id))) is None:
        raise not_found("activity")
    return first


async def sign_up(session: AsyncSession, principal: Principal, activity_id: uuid.UUID,
                  customer_id: uuid.UUID) -> SignUpPublic:
    """Members only, up to the activity's capacity; signing up twice is one sign-up."""
    activity = await club.activity_for_signup(session, activity_id)
    if activity is None:
        raise not_found("activity")
    check_dealer(principal, activity.dealer_id, "activity")
    if await club.member(session, activity.dealer_id, customer_id) is None:
        raise invalid(field_error("body", "customer_id", "not a club member at this dealer"))
    already = await club.signed_up(session, activity_id, customer_id)
    taken = await club.signups(session, activity_id)
    try:
        check_room(taken, activity.capacity, already)
    except SignUpRefused as error:
        raise Problem(409, "Conflict", str(error)) from error
    await club.insert_signup(session, activity_id, customer_id, datetime.now(UTC))
    return SignUpPublic(activity_id=activity_id, customer_id=customer_id, signed_up=taken if already else taken + 1)
