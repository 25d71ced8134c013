"""Segments (CS企划担当): the dealer's segments, a filter builder with a live count, members, delete."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crm_console.domain.segment_filters import BY_KEY, FIELDS, blank_row, edit_rows, filter_of, rows_from_form, rows_of
from crm_console.fetch import Section
from crm_console.fetch import segments as fetch
from crm_console.gateway import Forbidden, NotFound, Refused
from crm_console.pages import render
from crm_console.session import CsrfChecked, ViewerDep
from crm_contracts import permissions as p

router = APIRouter(prefix="/console/segments", include_in_schema=False)
Many = Annotated[list[str], Form()]


def _may_read(viewer) -> None:
    if not viewer.can(p.PROFILES_READ):
        raise Forbidden("profiles:read")


def _may_write(viewer) -> None:
    _may_read(viewer)
    if not viewer.can(p.SEGMENTS_WRITE):
        raise Forbidden("segments:write")


def _segment_id(segment_id: str) -> str:
    try:
        return str(uuid.UUID(segment_id))
    except ValueError as error:
        raise NotFound(segment_id) from error


async def _count(request: Request, viewer, rows) -> tuple[Section | None, dict]:
    tree, errors = filter_of(rows)
    if tree is None:
        return None, errors
    return await fetch.preview(request.app.state.gateway, viewer, tree), {}


async def _page(request: Request, viewer, rows, status_code: int = 200, name: str = "", description: str = "",
                errors: dict | None = None) -> Response:
    listed = await fetch.segments(request.app.state.gateway, viewer)
    count, row_errors = await _count(request, viewer, rows)
    return render(request, "segments.html", status_code=status_code, segments=listed, rows=rows, fields=FIELDS,
                  by_key=BY_KEY, count=count, row_errors=row_errors, name=name, description=description,
                  errors=errors or {}, may_write=viewer.can(p.SEGMENTS_WRITE))


@router.get("")
async def segments_page(request: Request, viewer: ViewerDep) -> Response:
    _may_read(viewer)
    return await _page(request, viewer, [blank_row()])


@router.post("/rows", dependencies=[CsrfChecked])
async def builder_rows(request: Request, viewer: ViewerDep, field: Many, op: Many, value: Many,
                       action: Annotated[str, Form()] = "") -> Response:
    """Add or remove a row, or follow a changed field; the count swaps in out of band with the rows."""
    _may_read(viewer)
    rows = edit_rows(rows_from_form(field, op, value), action)
    count, row_errors = await _count(request, viewer, rows)
    return render(request, "partials/segment_rows.html", rows=rows, fields=FIELDS, by_key=BY_KEY, count=count,
                  row_errors=row_errors, oob=True)


@router.post("/preview", dependencies=[CsrfChecked])
async def live_count(request: Request, viewer: ViewerDep, field: Many, op: Many, value: Many) -> Response:
    _may_read(viewer)
    count, row_errors = await _count(request, viewer, rows_from_form(field, op, value))
    return render(request, "partials/segment_count.html", count=count, row_errors=row_errors, oob=False)


@router.post("", dependencies=[CsrfChecked])
async def save(request: Request, viewer: ViewerDep, field: Many, op: Many, value: Many,
               name: Annotated[str, Form()] = "", description: Annotated[str, Form()] = "") -> Response:
    _may_write(viewer)
    rows = rows_from_form(field, op, value)
    name, description = name.strip(), description.strip()
    tree, _ = filter_of(rows)  # the page shows the row errors again
    errors = {} if name else {"name": "segments.error.name"}
    if len(name) > 200:
        errors["name"] = "segments.error.name_long"
    if errors or tree is None:
        return await _page(request, viewer, rows, 422, name, description, errors)
    try:
        created = await fetch.create(request.app.state.gateway, viewer, name, description or None, tree)
    except Refused as refused:
        key = "segments.error.name_taken" if refused.status == 409 else "segments.error.refused"
        return await _page(request, viewer, rows, 422, name, description, {"name": key})
    return RedirectResponse(f"/console/segments/{created['id']}", status_code=303)


@router.get("/{segment_id}")
async def segment_page(request: Request, viewer: ViewerDep, segment_id: str, cursor: str | None = None) -> Response:
    _may_read(viewer)
    segment_id = _segment_id(segment_id)
    gateway = request.app.state.gateway
    segment = await fetch.segment(gateway, viewer, segment_id)
    try:
        members = await fetch.members(gateway, viewer, segment_id, cursor)
    except Refused:  # a forged or stale cursor: start from the first page rather than fail the screen
        members = await fetch.members(gateway, viewer, segment_id, None)
    return render(request, "segment.html", segment=segment, members=members, rows=rows_of(segment.get("filter")),
                  by_key=BY_KEY, may_write=viewer.can(p.SEGMENTS_WRITE), confirming=False)


@router.get("/{segment_id}/delete")
async def confirm_delete(request: Request, viewer: ViewerDep, segment_id: str) -> Response:
    _may_write(viewer)
    segment = await fetch.segment(request.app.state.gateway, viewer, _segment_id(segment_id))
    return render(request, "segment.html", segment=segment, members={"items": []}, rows=rows_of(segment.get("filter")),
                  by_key=BY_KEY, may_write=True, confirming=True)


@router.post("/{segment_id}/delete", dependencies=[CsrfChecked])
async def delete(request: Request, viewer: ViewerDep, segment_id: str) -> Response:
    _may_write(viewer)
    await fetch.delete(request.app.state.gateway, viewer, _segment_id(segment_id))
    return RedirectResponse("/console/segments", status_code=303)
