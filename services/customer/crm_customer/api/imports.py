"""/api/v1/imports (bulk upload as jobs) and /api/v1/exports (streamed)."""

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from crm_contracts import permissions
from crm_customer.api.shaping import KeyringDep, customer_public, unmasked_for
from crm_customer.domain.imports import FORMATS, LIST_SEPARATOR
from crm_customer.handlers import imports as handlers
from crm_customer.handlers.customers import UNMASKED_FIELDS
from crm_customer.models import CustomerPublic, ImportJobPublic, ImportRowReport, PiiAccess
from crm_customer.models.imports import ImportKind
from crm_customer.repository import customers as repository
from crm_kit.auth import Principal, require, write_dealer
from crm_kit.db import SessionDep
from crm_kit.logs import request_id
from crm_kit.pagination import Cursor, Limit, Page, page_of, position_after
from crm_kit.problem_texts import entry
from crm_kit.problems import Problem, field_error, language_of
from crm_kit.responses import problems

imports = APIRouter(prefix="/api/v1/imports", tags=["imports"])
exports = APIRouter(prefix="/api/v1/exports", tags=["imports"])

EXPORT_COLUMNS = [name for name in CustomerPublic.model_fields if name != "warnings"]


@imports.post("", status_code=202, response_model=ImportJobPublic, responses=problems(415),
              openapi_extra={"requestBody": {"content": {
    "application/x-ndjson": {"schema": {"type": "string"}}, "text/csv": {"schema": {"type": "string"}}}}})
async def start_import(request: Request, session: SessionDep, response: Response,
                       kind: Annotated[ImportKind, Query(description="What each line is")],
                       dealer_id: Annotated[str | None, Query(description="Needed if you work for several")] = None,
                       principal: Principal = require(permissions.CUSTOMERS_WRITE)) -> ImportJobPublic:
    """One record per line, NDJSON or CSV (header first; `tags`, `other_mobiles` split on `|`). The body is staged as it
    streams in; the answer is the job, processed in the background. Natural keys: mobile or ID number
    (customers), VIN (vehicles), order number (visits); a re-run of the same file changes nothing."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    file_format = FORMATS.get(content_type)
    if file_format is None:
        raise handlers.unsupported(content_type)
    try:
        dealer = write_dealer(principal, dealer_id)
    except Problem as problem:
        problem.errors = [field_error("query", "dealer_id", e["detail"]) for e in problem.errors or []]
        raise
    job = await handlers.receive(session, principal, dealer, kind, file_format, request.stream())
    response.headers["Location"] = f"{imports.prefix}/{job.id}"
    return ImportJobPublic.model_validate(job, from_attributes=True)


@imports.get("", response_model=Page[ImportJobPublic])
async def list_imports(session: SessionDep, dealer_id: str | None = None,
                       status: Literal["receiving", "queued", "running", "done", "aborted"] | None = None,
                       limit: Limit = 50, cursor: Cursor = None,
                       principal: Principal = require(permissions.CUSTOMERS_WRITE)) -> Page[ImportJobPublic]:
    """The dealer's import jobs, newest first."""
    jobs = await handlers.list_jobs(session, principal, dealer_id=dealer_id, status=status,
                                    after=position_after(cursor, datetime.fromisoformat, uuid.UUID), limit=limit)
    page = page_of(jobs, limit, lambda job: (job.created_at, job.id))
    return Page(items=[ImportJobPublic.model_validate(j, from_attributes=True) for j in page.items],
                next_cursor=page.next_cursor)


@imports.get("/{job_id}", response_model=ImportJobPublic)
async def import_progress(job_id: uuid.UUID, session: SessionDep,
                          principal: Principal = require(permissions.CUSTOMERS_WRITE)) -> ImportJobPublic:
    return ImportJobPublic.model_validate(await handlers.read_job(session, principal, job_id), from_attributes=True)


@imports.get("/{job_id}/report", response_model=Page[ImportRowReport])
async def import_report(request: Request, response: Response, job_id: uuid.UUID, session: SessionDep,
                        failed_only: bool = False, limit: Limit = 500, cursor: Cursor = None,
                        principal: Principal = require(permissions.CUSTOMERS_WRITE)) -> Page[ImportRowReport]:
    """Per-row outcomes by line: created, updated, unchanged, or failed with the errors of each field, worded in
    the Accept-Language like a 422's."""
    language = language_of(request)
    after = position_after(cursor, int)[0] if cursor else 0
    rows = await handlers.job_report(session, principal, job_id, only_failed=failed_only, after=after, limit=limit)
    page = page_of(rows, limit, lambda row: (row.line,))
    response.headers.update({"Content-Language": language, "Vary": "Accept-Language"})
    return Page(items=[ImportRowReport(line=r.line, outcome=r.outcome, record_id=r.record_id,
                                       errors=[entry(e, language) for e in r.errors or []],
                                       warnings=r.warnings or []) for r in page.items], next_cursor=page.next_cursor)


@exports.get("/customers", response_class=StreamingResponse,
             responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}}}})
async def export_customers(request: Request, keyring: KeyringDep,
                           format: Literal["ndjson", "csv"] = "ndjson", dealer_id: str | None = None,
                           principal: Principal = require(permissions.CUSTOMERS_EXPORT)) -> StreamingResponse:
    """Every customer of the dealer(s) you see, streamed; masked unless you hold pii:read (then logged)."""
    unmasked = unmasked_for(principal)
    if dealer_id is not None and not principal.sees(dealer_id):
        raise Problem(404, "Not Found", "No such dealer.")
    filters = {"dealer_id": dealer_id}
    if unmasked:
        async with request.app.state.sessions() as session, session.begin():
            repository.log_access(session, [PiiAccess(
                at=datetime.now(UTC), principal=principal.subject, dealer_id=dealer_id or ",".join(
                    sorted(principal.dealers)), action="export", fields=UNMASKED_FIELDS, records=0,
                request_id=request_id.get())])

    async def lines() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, EXPORT_COLUMNS)
        if format == "csv":
            writer.writeheader()
        async with request.app.state.sessions() as session:
            async for customer in repository.stream_customers(session, principal.dealer_filter(), filters):
                shown = customer_public(customer, keyring, unmasked).model_dump(mode="json", exclude={"warnings"})
                if format == "ndjson":
                    yield json.dumps(shown, ensure_ascii=False) + "\n"
                    continue
                writer.writerow({**shown, "tags": LIST_SEPARATOR.join(shown["tags"]),
                                 "other_mobiles": LIST_SEPARATOR.join(shown["other_mobiles"]),
                                 "contacts": json.dumps(shown["contacts"], ensure_ascii=False)})
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        if format == "csv" and buffer.tell():
            yield buffer.getvalue()

    media = "application/x-ndjson" if format == "ndjson" else "text/csv; charset=utf-8"
    return StreamingResponse(lines(), media_type=media,
                             headers={"Content-Disposition": f'attachment; filename="customers.{format}"'})
