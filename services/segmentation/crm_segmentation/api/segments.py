"""/api/v1/segments: dynamic segments (a filter kept current) and static lists, with their members."""

import uuid

from fastapi import APIRouter, Response

from crm_contracts import permissions
from crm_kit.auth import Principal, require
from crm_kit.db import SessionDep
from crm_kit.idempotency import IdempotencyKey
from crm_kit.pagination import Cursor, Limit, Page, page_of, position_after
from crm_kit.responses import problems
from crm_kit.versioning import IfMatch, tag
from crm_segmentation.handlers import segments as handlers
from crm_segmentation.models.segments import (
    MemberPublic,
    MembersAdd,
    MembersAdded,
    PreviewRequest,
    PreviewResult,
    Segment,
    SegmentCreate,
    SegmentPublic,
    SegmentUpdate,
)
from crm_segmentation.repository import segments as repository

router = APIRouter(prefix="/api/v1/segments", tags=["segments"])


def public(segment: Segment, members: int) -> SegmentPublic:
    return SegmentPublic(**segment.model_dump(), members=members)


@router.post("", status_code=201, response_model=SegmentPublic, responses=problems(409))
async def create_segment(data: SegmentCreate, session: SessionDep, response: Response,
                         idempotency_key: IdempotencyKey = None,
                         principal: Principal = require(permissions.SEGMENTS_WRITE)) -> SegmentPublic:
    segment, members = await handlers.create_segment(session, principal, data, idempotency_key)
    response.headers["Location"] = f"{router.prefix}/{segment.id}"
    tag(response, segment.version)
    return public(segment, members)


@router.post("/preview", response_model=PreviewResult)
async def preview_segment(data: PreviewRequest, session: SessionDep,
                          principal: Principal = require(permissions.PROFILES_READ)) -> PreviewResult:
    """How many customers a filter matches now, before saving it."""
    return await handlers.preview(session, principal, data)


@router.get("", response_model=Page[SegmentPublic])
async def list_segments(session: SessionDep, limit: Limit = 50, cursor: Cursor = None,
                        principal: Principal = require(permissions.PROFILES_READ)) -> Page[SegmentPublic]:
    after = position_after(cursor, uuid.UUID)[0] if cursor else None
    rows = await repository.list_segments(session, principal.dealer_filter(), limit + 1, after)
    return page_of([public(s, n) for s, n in rows], limit, lambda s: (s.id,))


@router.get("/{segment_id}", response_model=SegmentPublic, responses=problems(404))
async def get_segment(segment_id: uuid.UUID, session: SessionDep, response: Response,
                      principal: Principal = require(permissions.PROFILES_READ)) -> SegmentPublic:
    """The ETag (and `version`) to send back as If-Match when editing it."""
    segment = await handlers.visible_segment(session, principal, segment_id)
    tag(response, segment.version)
    return public(segment, await repository.member_count(session, segment.id))


@router.put("/{segment_id}", response_model=SegmentPublic, responses=problems(404, 409, 412, 428))
async def update_segment(segment_id: uuid.UUID, data: SegmentUpdate, session: SessionDep, response: Response,
                         if_match: IfMatch = None,
                         principal: Principal = require(permissions.SEGMENTS_WRITE)) -> SegmentPublic:
    """Replace the name, description and (dynamic segments) filter. A dynamic segment's members are worked
    out again before the answer, which carries the new count; those who enter or leave get
    `crm.segment.entered` / `crm.segment.exited` events. 428 without If-Match, 412 when the segment changed
    since the ETag was read (the problem names the current one), 409 when the name is another segment's."""
    segment, members = await handlers.update_segment(session, principal, segment_id, data, if_match)
    tag(response, segment.version)
    return public(segment, members)


@router.delete("/{segment_id}", status_code=204)
async def delete_segment(segment_id: uuid.UUID, session: SessionDep,
                         principal: Principal = require(permissions.SEGMENTS_WRITE)) -> Response:
    await handlers.delete_segment(session, principal, segment_id)
    return Response(status_code=204)


@router.get("/{segment_id}/members", response_model=Page[MemberPublic])
async def list_members(segment_id: uuid.UUID, session: SessionDep, limit: Limit = 50, cursor: Cursor = None,
                       principal: Principal = require(permissions.PROFILES_READ)) -> Page[MemberPublic]:
    segment = await handlers.visible_segment(session, principal, segment_id)
    after = position_after(cursor, uuid.UUID)[0] if cursor else None
    rows = await repository.page_of_members(session, segment.id, limit + 1, after)
    items = [MemberPublic(customer_id=m.customer_id, since=m.since) for m in rows]
    return page_of(items, limit, lambda m: (m.customer_id,))


@router.post("/{segment_id}/members", response_model=MembersAdded, responses=problems(409))
async def add_members(segment_id: uuid.UUID, data: MembersAdd, session: SessionDep,
                      principal: Principal = require(permissions.SEGMENTS_WRITE)) -> MembersAdded:
    """Static lists only; every id must be a customer of the segment's dealer."""
    added, members = await handlers.add_members(session, principal, segment_id, data.customer_ids)
    return MembersAdded(added=added, members=members)


@router.delete("/{segment_id}/members/{customer_id}", status_code=204, responses=problems(409))
async def remove_member(segment_id: uuid.UUID, customer_id: uuid.UUID, session: SessionDep,
                        principal: Principal = require(permissions.SEGMENTS_WRITE)) -> Response:
    await handlers.remove_member(session, principal, segment_id, customer_id)
    return Response(status_code=204)
