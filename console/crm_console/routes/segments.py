"""Segments (CS企划担当): the dealer's segments, a filter builder with a live count, members, edit, delete.

An edit names the version the planner opened (If-Match); when a colleague saved in between, the page shows the
segment as it is now above the planner's own rows, which stay in the form to save over it or to drop."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crm_console.domain.segment_filters import (
    BY_KEY,
    FIELDS,
    blank_row,
    edit_rows,
    editable_rows,
    filter_of,
    rows_from_form,
    rows_of,
)
from crm_console.fetch import Section
from crm_console.fetch import segments as fetch
from crm_console.gateway import Forbidden, NotFound, Refused
from crm_console.pages import render
from crm_console.session import CsrfChecked, ViewerDep
from crm_contracts import permissions as p

router = APIRouter(prefix="/console/segments", include_in_schema=False)
Many = Annotated[list[str], Form()]
Text = Annotated[str, Form()]
STALE = (412, 428)  # saved by someone else since the page was read; or read without an ETag


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
    errors = _name_errors(name)
    if errors or tree is None:
        return await _page(request, viewer, rows, 422, name, description, errors)
    try:
        created = await fetch.create(request.app.state.gateway, viewer, name, description or None, tree)
    except Refused as refused:
        key = "segments.error.name_taken" if refused.status == 409 else "segments.error.refused"
        return await _page(request, viewer, rows, 422, name, description, {"name": key})
    return RedirectResponse(f"/console/segments/{created['id']}", status_code=303)


def _name_errors(name: str) -> dict[str, str]:
    if not name:
        return {"name": "segments.error.name"}
    return {"name": "segments.error.name_long"} if len(name) > 200 else {}


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
    editable = segment["kind"] == "dynamic" and editable_rows(segment.get("filter")) is not None
    return render(request, "segment.html", segment=segment, members=members, rows=rows_of(segment.get("filter")),
                  by_key=BY_KEY, may_write=viewer.can(p.SEGMENTS_WRITE), confirming=False, editable=editable)


@router.get("/{segment_id}/edit")
async def edit_page(request: Request, viewer: ViewerDep, segment_id: str) -> Response:
    _may_write(viewer)
    segment, etag = await fetch.tagged_segment(request.app.state.gateway, viewer, _segment_id(segment_id))
    rows = editable_rows(segment.get("filter")) if segment["kind"] == "dynamic" else None
    if rows is None:  # not a builder's filter: the segment page says so, and offers no edit
        return RedirectResponse(f"/console/segments/{segment['id']}", status_code=303)
    return await _edit_page(request, viewer, segment, etag, rows, segment["name"], segment.get("description") or "")


@router.post("/{segment_id}/edit", dependencies=[CsrfChecked])
async def save_edit(request: Request, viewer: ViewerDep, segment_id: str, field: Many, op: Many, value: Many,
                    etag: Text = "", name: Text = "", description: Text = "") -> Response:
    _may_write(viewer)
    segment_id, gateway = _segment_id(segment_id), request.app.state.gateway
    rows = rows_from_form(field, op, value)
    name, description = name.strip(), description.strip()
    tree, _ = filter_of(rows)
    errors = _name_errors(name)
    if errors or tree is None:
        segment, _ = await fetch.tagged_segment(gateway, viewer, segment_id)
        return await _edit_page(request, viewer, segment, etag, rows, name, description, 422, errors)
    try:
        await fetch.update(gateway, viewer, segment_id, etag, name, description or None, tree)
    except Refused as refused:
        current, current_etag = await fetch.tagged_segment(gateway, viewer, segment_id)
        if refused.status in STALE:
            return await _edit_page(request, viewer, current, current_etag, rows, name, description, 409,
                                    theirs=current)
        key = "segments.error.name_taken" if refused.status == 409 else "segments.error.refused"
        return await _edit_page(request, viewer, current, etag, rows, name, description, 422, {"name": key})
    return RedirectResponse(f"/console/segments/{segment_id}", status_code=303)


async def _edit_page(request: Request, viewer, segment: dict, etag: str, rows, name: str, description: str,
                     status_code: int = 200, errors: dict | None = None, theirs: dict | None = None) -> Response:
    count, row_errors = await _count(request, viewer, rows)
    return render(request, "segment_edit.html", status_code=status_code, segment=segment, etag=etag, rows=rows,
                  fields=FIELDS, by_key=BY_KEY, count=count, row_errors=row_errors, name=name,
                  description=description, errors=errors or {}, theirs=theirs,
                  their_rows=rows_of(theirs.get("filter")) if theirs else [])


@router.get("/{segment_id}/delete")
async def confirm_delete(request: Request, viewer: ViewerDep, segment_id: str) -> Response:
    _may_write(viewer)
    segment = await fetch.segment(request.app.state.gateway, viewer, _segment_id(segment_id))
    return render(request, "segment.html", segment=segment, members={"items": []}, rows=rows_of(segment.get("filter")),
                  by_key=BY_KEY, may_write=True, confirming=True, editable=False)


@router.post("/{segment_id}/delete", dependencies=[CsrfChecked])
async def delete(request: Request, viewer: ViewerDep, segment_id: str) -> Response:
    _may_write(viewer)
    await fetch.delete(request.app.state.gateway, viewer, _segment_id(segment_id))
    return RedirectResponse("/console/segments", status_code=303)
