"""Segments: create, edit, preview, and membership kept current on every profile change and after each batch."""

import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts import Envelope, new_event
from crm_contracts.events.segmentation import SegmentEntered, SegmentExited
from crm_kit.auth import Principal, check_dealer
from crm_kit.idempotency import first_answer
from crm_kit.logs import request_id
from crm_kit.outbox import stage_many
from crm_kit.problems import Problem, field_error, invalid, not_found
from crm_kit.versioning import check_if_match
from crm_segmentation.domain import filters
from crm_segmentation.handlers.context import OUTGOING, SERVICE, stage_event
from crm_segmentation.models import Profile, Segment
from crm_segmentation.models.segments import PreviewRequest, PreviewResult, SegmentCreate, SegmentUpdate
from crm_segmentation.repository import profiles as profile_repository
from crm_segmentation.repository import segments as repository

MEMBERSHIP = "crm_segmentation.membership"


def filter_view(profile: Profile, vehicle_ages: list[int | None]) -> dict:
    """The fields a filter may name, as plain values; a vehicle field as one value per vehicle."""
    view = {name: getattr(profile, name) for name in filters.FIELDS if name not in filters.VEHICLE_FIELDS}
    return {**view, "vehicle_age_years": vehicle_ages}


async def enter(session: AsyncSession, segment: Segment, customer_id: uuid.UUID) -> bool:
    batch = session.info.get(MEMBERSHIP)
    if batch is not None:
        batch.entered.append((segment.id, customer_id, segment.dealer_id))
        return True
    if not await repository.add_member(session, segment.id, customer_id, segment.dealer_id):
        return False
    await stage_event(session, SegmentEntered(segment_id=segment.id, customer_id=customer_id,
                                          dealer_id=segment.dealer_id, at=datetime.now(UTC)),
                  customer_id, segment.dealer_id)
    return True


async def leave(session: AsyncSession, segment_id: uuid.UUID, dealer_id: str, customer_id: uuid.UUID) -> bool:
    batch = session.info.get(MEMBERSHIP)
    if batch is not None:
        batch.left.append((segment_id, customer_id, dealer_id))
        return True
    if not await repository.remove_member(session, segment_id, customer_id):
        return False
    await stage_event(session, SegmentExited(segment_id=segment_id, customer_id=customer_id, dealer_id=dealer_id,
                                         at=datetime.now(UTC)), customer_id, dealer_id)
    return True


@dataclass
class MembershipChanges:
    entered: list[tuple[uuid.UUID, uuid.UUID, str]] = field(default_factory=list)  # segment, customer, dealer
    left: list[tuple[uuid.UUID, uuid.UUID, str]] = field(default_factory=list)


@asynccontextmanager
async def batched(session: AsyncSession):
    """Membership changes and events made inside are written together at the end, still in the caller's
    transaction: a batch refresh of hundreds of customers makes a few statements, not one per change.
    Only the members actually added or removed are announced (RETURNING), as one at a time would."""
    session.info[MEMBERSHIP], session.info[OUTGOING] = changes, events = MembershipChanges(), []
    try:
        yield
    finally:
        del session.info[MEMBERSHIP], session.info[OUTGOING]
    now = datetime.now(UTC)
    dealers = {(s, c): d for s, c, d in changes.entered + changes.left}
    for segment_id, customer_id in await repository.add_members(session, changes.entered, now):
        events.append(_event(SegmentEntered(segment_id=segment_id, customer_id=customer_id,
                                            dealer_id=dealers[segment_id, customer_id], at=now)))
    for segment_id, customer_id in await repository.remove_members(session, changes.left):
        events.append(_event(SegmentExited(segment_id=segment_id, customer_id=customer_id,
                                           dealer_id=dealers[segment_id, customer_id], at=now)))
    await stage_many(session, events)


def _event(payload: SegmentEntered | SegmentExited) -> Envelope:
    return new_event(payload, service=SERVICE, subject=str(payload.customer_id), dealer_id=payload.dealer_id,
                     request_id=request_id.get())


async def sync_member(session: AsyncSession, profile: Profile, dynamic: list[Segment] | None = None,
                      current: set[uuid.UUID] | None = None, vehicle_ages: list[int | None] | None = None) -> None:
    """Enter the dynamic segments the profile now matches, leave the ones it no longer does.

    An erased or merged-away customer leaves every segment, static lists included. `dynamic` (the
    dealer's dynamic segments), `current` (the customer's memberships) and `vehicle_ages` (as just
    worked out by a refresh) save a query each when known.
    """
    if current is None:
        current = await repository.memberships_of(session, profile.customer_id)
    gone = profile.erased or profile.merged_into is not None
    if gone:
        for segment_id in current:
            await leave(session, segment_id, profile.dealer_id, profile.customer_id)
        return
    dynamic = dynamic if dynamic is not None else await repository.dynamic_segments(session, profile.dealer_id)
    if not dynamic:
        return
    if vehicle_ages is None:
        vehicle_ages = await repository.vehicle_ages_of(session, profile.customer_id)
    view = filter_view(profile, vehicle_ages)
    for segment in dynamic:
        matched = filters.matches(segment.filter, view)
        if matched and segment.id not in current:
            await enter(session, segment, profile.customer_id)
        elif not matched and segment.id in current:
            await leave(session, segment.id, profile.dealer_id, profile.customer_id)


async def matching(session: AsyncSession, dealer_id: str, tree: dict) -> list[Profile]:
    """Every live profile of the dealer the filter matches (count previews and first fills)."""
    ages = await repository.vehicle_ages(session, dealer_id)
    return [p for p in await profile_repository.dealer_profiles(session, dealer_id)
            if not p.erased and filters.matches(tree, filter_view(p, ages.get(p.customer_id, [])))]


async def create(session: AsyncSession, segment: Segment, customer_ids: list[uuid.UUID]) -> int:
    """Save the segment and fill it: a dynamic one with its matches, a static one with the listed customers
    that exist at this dealer (unknown ids are skipped and not counted)."""
    await repository.add_segment(session, segment)
    if segment.kind == "dynamic":
        members = [p.customer_id for p in await matching(session, segment.dealer_id, segment.filter)]
    else:
        members = [p.customer_id for p in await profile_repository.profiles_by_ids(session, customer_ids)
                   if p.dealer_id == segment.dealer_id and not p.erased and p.merged_into is None]
    for customer_id in members:
        await enter(session, segment, customer_id)
    return len(members)


def _filter_errors(tree: dict | None, pointer: str) -> list[dict]:
    return [field_error("body", pointer + where, detail) for where, detail in filters.validate(tree)]


async def create_segment(session: AsyncSession, principal: Principal, data: SegmentCreate,
                         idempotency_key: str | None = None) -> tuple[Segment, int]:
    """A keyed retry answers the segment the first request created (its name is then taken by that one)."""
    errors = []
    if data.kind == "dynamic":
        errors += _filter_errors(data.filter, "/filter")
        if data.customer_ids:
            errors.append(field_error("body", "/customer_ids", "a dynamic segment's members come from its filter"))
    elif data.filter is not None:
        errors.append(field_error("body", "/filter", "a static segment has no filter"))
    if errors:
        raise invalid(*errors)
    if not principal.sees(data.dealer_id):
        raise Problem(403, "Forbidden", "You cannot define segments for this dealer.")
    async with session.begin():
        segment = Segment(dealer_id=data.dealer_id, name=data.name, description=data.description, kind=data.kind,
                          filter=data.filter, created_by=principal.subject, created_at=datetime.now(UTC))
        earlier = await first_answer(session, idempotency_key, data.dealer_id, "POST /segments",
                                     data.model_dump(mode="json", exclude_unset=True), segment.id)
        if earlier:
            first = await repository.get_segment(session, uuid.UUID(earlier.resource_id))
            if first is None:
                raise not_found("segment")
            return first, await repository.member_count(session, first.id)
        if await repository.name_taken(session, data.dealer_id, data.name):
            raise Problem(409, "Conflict", "This dealer already has a segment of that name.",
                          errors=[field_error("body", "/name", "already taken")])
        members = await create(session, segment, data.customer_ids)
    return segment, members


async def update_segment(session: AsyncSession, principal: Principal, segment_id: uuid.UUID, data: SegmentUpdate,
                         if_match: str | None) -> tuple[Segment, int]:
    """Replace name, description and filter; a dynamic segment's members are worked out again at once, and
    those who enter or leave are announced as a profile change would.

    Known limitation: a customer refreshed by an event in a transaction that read the old filter and commits
    after this one keeps the old filter's verdict until their next refresh or the dealer's next batch (as a
    segment created during such a refresh is missed by it until then)."""
    async with session.begin():
        segment = await repository.segment_for_update(session, segment_id)
        if segment is None:
            raise not_found("segment")
        check_dealer(principal, segment.dealer_id, "segment")
        check_if_match(if_match, segment.version)
        if segment.kind == "dynamic":
            errors = _filter_errors(data.filter, "/filter")
        else:
            errors = [field_error("body", "/filter", "a static segment has no filter")] if data.filter else []
        if errors:
            raise invalid(*errors)
        if await repository.name_taken(session, segment.dealer_id, data.name, other_than=segment.id):
            raise Problem(409, "Conflict", "This dealer already has a segment of that name.",
                          errors=[field_error("body", "/name", "already taken")])
        segment.name, segment.description, segment.filter = data.name, data.description, data.filter
        segment.version += 1
        segment.updated_by, segment.updated_at = principal.subject, datetime.now(UTC)
        session.add(segment)
        if segment.kind == "dynamic":
            await _refill(session, segment)
        await session.flush()
        return segment, await repository.member_count(session, segment.id)


async def _refill(session: AsyncSession, segment: Segment) -> None:
    wanted = {p.customer_id for p in await matching(session, segment.dealer_id, segment.filter)}
    current = await repository.members_of(session, segment.id)
    async with batched(session):
        for customer_id in sorted(wanted - current):
            await enter(session, segment, customer_id)
        for customer_id in sorted(current - wanted):
            await leave(session, segment.id, segment.dealer_id, customer_id)


async def preview(session: AsyncSession, principal: Principal, data: PreviewRequest) -> PreviewResult:
    errors = _filter_errors(data.filter, "/filter")
    if errors:
        raise invalid(*errors)
    if not principal.sees(data.dealer_id):
        raise Problem(404, "Not Found", "No such dealer.")
    found = await matching(session, data.dealer_id, data.filter)
    return PreviewResult(count=len(found), sample=[p.customer_id for p in found[:10]])


async def visible_segment(session: AsyncSession, principal: Principal, segment_id: uuid.UUID) -> Segment:
    segment = await repository.get_segment(session, segment_id)
    if segment is None:
        raise not_found("segment")
    check_dealer(principal, segment.dealer_id, "segment")
    return segment


async def delete_segment(session: AsyncSession, principal: Principal, segment_id: uuid.UUID) -> None:
    """Members leave (with their events) before the segment goes."""
    async with session.begin():
        segment = await visible_segment(session, principal, segment_id)
        for customer_id in await repository.members_of(session, segment.id):
            await leave(session, segment.id, segment.dealer_id, customer_id)
        await repository.delete_segment(session, segment)


async def add_members(session: AsyncSession, principal: Principal, segment_id: uuid.UUID,
                      customer_ids: list[uuid.UUID]) -> tuple[int, int]:
    async with session.begin():
        segment = await _static(session, principal, segment_id)
        known = await profile_repository.profiles_by_ids(session, customer_ids)
        usable = {p.customer_id for p in known
                  if p.dealer_id == segment.dealer_id and not p.erased and p.merged_into is None}
        unknown = [i for i, c in enumerate(customer_ids) if c not in usable]
        if unknown:  # well-formed ids of no customer here: the list is valid, its records are missing
            raise Problem(409, "Conflict", "Not every customer is one of this dealer's.", errors=[
                field_error("body", f"/customer_ids/{i}", "no such customer at this dealer") for i in unknown])
        added = sum([await enter(session, segment, c) for c in dict.fromkeys(customer_ids)])
        return added, await repository.member_count(session, segment.id)


async def remove_member(session: AsyncSession, principal: Principal, segment_id: uuid.UUID,
                        customer_id: uuid.UUID) -> None:
    async with session.begin():
        segment = await _static(session, principal, segment_id)
        if not await leave(session, segment.id, segment.dealer_id, customer_id):
            raise not_found("member")


async def _static(session: AsyncSession, principal: Principal, segment_id: uuid.UUID) -> Segment:
    segment = await visible_segment(session, principal, segment_id)
    if segment.kind != "static":
        raise Problem(409, "Conflict", "A dynamic segment's members follow its filter; they cannot be edited.")
    return segment
