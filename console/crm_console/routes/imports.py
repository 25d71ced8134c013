"""Imports: send a CSV or NDJSON file, watch it handled and scored, read and download what was refused."""

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from crm_console.domain.imports import FINISHED, KINDS, content_type_of, handled_share, phase, report_csv, report_rows
from crm_console.fetch import imports as fetch
from crm_console.gateway import Forbidden, NotFound, Refused
from crm_console.i18n import Translator
from crm_console.pages import render
from crm_console.session import CsrfChecked, ViewerDep, language
from crm_contracts import permissions as p

router = APIRouter(prefix="/console/imports", include_in_schema=False)


def _may_import(viewer) -> None:
    if not viewer.can(p.CUSTOMERS_WRITE):
        raise Forbidden("customers:write")


def _job_id(job_id: str) -> str:
    try:
        return str(uuid.UUID(job_id))
    except ValueError as error:
        raise NotFound(job_id) from error


async def _form(request: Request, viewer, status_code: int = 200, errors: dict | None = None, kind: str = "customers"):
    recent = await fetch.recent(request.app.state.gateway, viewer)
    return render(request, "imports.html", status_code=status_code, recent=recent, kinds=KINDS, kind=kind,
                  errors=errors or {})


@router.get("")
async def imports_page(request: Request, viewer: ViewerDep) -> Response:
    _may_import(viewer)
    return await _form(request, viewer)


@router.post("", dependencies=[CsrfChecked])
async def send_file(request: Request, viewer: ViewerDep, kind: Annotated[str, Form()],
                    file: Annotated[UploadFile | None, File()] = None) -> Response:
    _may_import(viewer)
    errors = {}
    if kind not in KINDS:
        errors["kind"] = "imports.error.kind"
    content_type = content_type_of(file.filename if file else None)
    content = await file.read() if file and content_type else b""
    if not file or not file.filename:
        errors["file"] = "imports.error.no_file"
    elif content_type is None:
        errors["file"] = "imports.error.format"
    elif not content.strip():
        errors["file"] = "imports.error.empty"
    if errors:
        return await _form(request, viewer, 422, errors, kind)
    try:
        job = await fetch.start(request.app.state.gateway, viewer, kind, content, content_type)
    except Refused:
        return await _form(request, viewer, 422, {"file": "imports.error.refused"}, kind)
    return RedirectResponse(f"/console/imports/{job['id']}", status_code=303)


def _field_label(t: Translator):
    """The column as the file names it, with its Chinese name where we know it: the user fixes their own file."""
    def label(field: str) -> str:
        key = f"imports.field.{field}"
        return t("imports.field_label", label=t(key), code=field) if t.has(key) else field
    return label


async def _progress_values(request: Request, viewer, job_id: str) -> dict:
    """The job's phase and, once it is finished, its failed rows (the page and its polled partial both show it)."""
    _may_import(viewer)
    job, scoring = await fetch.progress(request.app.state.gateway, viewer, job_id)
    now = phase(job, scoring.value if scoring.shown else None, follows_scoring=viewer.can(p.PROFILES_READ))
    finished = now in FINISHED
    rows = await _report(request, viewer, job_id) if finished else []
    return {"job": job, "phase": now, "finished": finished, "share": handled_share(job), "rows": rows}


async def _report(request: Request, viewer, job_id: str) -> list:
    rows = await fetch.failed_rows(request.app.state.gateway, viewer, job_id)
    return report_rows(rows, _field_label(Translator(language(request))))


@router.get("/{job_id}")
async def import_page(request: Request, viewer: ViewerDep, job_id: str) -> Response:
    return render(request, "import.html", **await _progress_values(request, viewer, _job_id(job_id)))


@router.get("/{job_id}/progress")
async def import_progress(request: Request, viewer: ViewerDep, job_id: str) -> Response:
    """The partial HTMX polls every second; once finished it carries the report and stops polling."""
    return render(request, "partials/import_progress.html",
                  **await _progress_values(request, viewer, _job_id(job_id)))


@router.get("/{job_id}/report.csv")
async def report_download(request: Request, viewer: ViewerDep, job_id: str) -> Response:
    _may_import(viewer)
    job_id = _job_id(job_id)
    t = Translator(language(request))
    rows = await _report(request, viewer, job_id)
    text = report_csv([t("imports.line"), t("imports.field"), t("imports.error")], rows)
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="import-{job_id}-report.csv"'})
