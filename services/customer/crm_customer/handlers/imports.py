"""Bulk imports as jobs: the upload is staged row by row as it streams in; a background worker (any replica)
processes a job's rows in batches, each batch's records, events and per-row outcomes in one transaction,
so a crash or restart resumes where the last committed batch ended and doubles nothing."""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from crm_customer.domain.imports import csv_header, lines_of, parse_csv, parse_ndjson
from crm_customer.domain.pii import Keyring
from crm_customer.handlers import import_rows
from crm_customer.handlers.common import visible
from crm_customer.models import ImportJob, ImportRow
from crm_customer.repository import customers as customer_repository
from crm_customer.repository import imports as repository
from crm_kit.auth import Principal
from crm_kit.db import Sessions, unavailable
from crm_kit.problems import Problem

log = logging.getLogger(__name__)

STAGE_BATCH = 1000
PROCESSORS = {"customers": import_rows.customers, "vehicles": import_rows.vehicles, "visits": import_rows.visits}


async def receive(session: AsyncSession, principal: Principal, dealer_id: str, kind: str, file_format: str,
                  chunks: AsyncIterator[bytes]) -> ImportJob:
    job = ImportJob(dealer_id=dealer_id, kind=kind, created_by=principal.subject, created_at=datetime.now(UTC))
    async with session.begin():
        customer_repository.add(session, job)
    try:
        return await _stage_upload(session, job, file_format, chunks)
    except BaseException:  # the upload broke off: what was staged is not a whole file, so none of it runs
        async with session.begin():
            job = await repository.get_job(session, job.id)
            job.status, job.finished_at = "aborted", datetime.now(UTC)
            customer_repository.add(session, job)
        raise


async def _stage_upload(session: AsyncSession, job: ImportJob, file_format: str,
                        chunks: AsyncIterator[bytes]) -> ImportJob:
    header: list[str] | None = None
    staged: list[dict] = []
    total = 0
    async for line, text in lines_of(chunks):
        if file_format == "csv" and header is None:
            header = csv_header(text)
            continue
        try:
            record = parse_ndjson(text) if file_format == "ndjson" else parse_csv(text, header or [])
            staged.append({"job_id": job.id, "line": line, "payload": record})
        except ValueError as error:
            staged.append({"job_id": job.id, "line": line, "payload": None, "outcome": "failed",
                           "errors": [{"in": "body", "pointer": "", "detail": str(error)}]})
        total += 1
        if len(staged) >= STAGE_BATCH:
            await _stage(session, staged)
            staged = []
    await _stage(session, staged)
    async with session.begin():
        job = await repository.get_job(session, job.id)
        failed_at_parse = await repository.count_failed(session, job.id)
        job.total_rows, job.failed, job.processed = total, failed_at_parse, failed_at_parse
        job.status = "queued" if total > failed_at_parse else "done"
        job.finished_at = None if job.status == "queued" else datetime.now(UTC)
        customer_repository.add(session, job)
    return job


async def _stage(session: AsyncSession, rows: list[dict]) -> None:
    if rows:
        full = [{"outcome": None, "errors": None, **row} for row in rows]
        async with session.begin():
            await repository.stage_rows(session, full)


async def process_next_batch(sessions: Sessions, keyring: Keyring, batch_size: int) -> int:
    """Handle up to `batch_size` rows of one job no other worker holds; returns how many were handled.

    A batch that fails for a reason other than the database being down is done again one row at a time,
    and a row that fails alone is reported failed: one unforeseen row never stalls the job."""
    try:
        return await _process(sessions, keyring, batch_size)
    except Exception as error:
        if unavailable(error):
            raise
        log.exception("an import batch failed; handling its rows one at a time")
    handled = 0
    for _ in range(batch_size):
        try:
            done = await _process(sessions, keyring, 1)
        except Exception as error:
            if unavailable(error):
                raise
            log.exception("an import row failed on its own; it is reported failed")
            done = await _fail_next_row(sessions, error)
        if not done:
            break
        handled += done
    return handled


async def _fail_next_row(sessions: Sessions, error: Exception) -> int:
    async with sessions() as session, session.begin():
        job = await repository.claim_job(session)
        rows = await repository.pending_rows(session, job.id, 1) if job else []
        if not rows:
            return 0
        detail = f"could not be processed ({type(error).__name__}); the service log has the details"
        await repository.record_outcomes(session, job.id, [{"line": rows[0].line, "outcome": "failed",
                                                             "errors": [{"in": "body", "pointer": "",
                                                                         "detail": detail}]}])
        job.failed, job.processed = job.failed + 1, job.processed + 1
        customer_repository.add(session, job)
        return 1


async def _process(sessions: Sessions, keyring: Keyring, batch_size: int) -> int:
    async with sessions() as session, session.begin():
        job = await repository.claim_job(session)
        if job is None:
            return 0
        rows = await repository.pending_rows(session, job.id, batch_size)
        outcomes = await PROCESSORS[job.kind](session, keyring, job.dealer_id, rows) if rows else []
        await repository.record_outcomes(session, job.id, outcomes)
        for outcome in outcomes:
            setattr(job, outcome["outcome"], getattr(job, outcome["outcome"]) + 1)
        job.processed += len(outcomes)
        job.status = "running"
        if len(rows) < batch_size:
            job.status, job.finished_at = "done", datetime.now(UTC)
        customer_repository.add(session, job)
        return max(len(rows), 1)


def worker(batch_size: int, poll_seconds: float):
    async def import_worker(app: FastAPI) -> None:
        while True:
            try:
                handled = await process_next_batch(app.state.sessions, app.state.keyring, batch_size)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database is down: wait and try again
                log.warning("import worker: %r", error)
                handled = 0
            if not handled:
                await asyncio.sleep(poll_seconds)

    return import_worker


async def read_job(session: AsyncSession, principal: Principal, job_id: uuid.UUID) -> ImportJob:
    async with session.begin():
        return visible(principal, await repository.get_job(session, job_id), "import job")


async def list_jobs(session: AsyncSession, principal: Principal, *, dealer_id: str | None, status: str | None,
                    after: tuple[datetime, uuid.UUID] | None, limit: int) -> list[ImportJob]:
    async with session.begin():
        return await repository.list_jobs(session, principal.dealer_filter(), dealer_id=dealer_id, status=status,
                                          after=after, limit=limit)


async def job_report(session: AsyncSession, principal: Principal, job_id: uuid.UUID, *, only_failed: bool,
                     after: int, limit: int) -> list[ImportRow]:
    async with session.begin():
        job = visible(principal, await repository.get_job(session, job_id), "import job")
        return await repository.report(session, job.id, only_failed=only_failed, after=after, limit=limit)


def unsupported(content_type: str) -> Problem:
    return Problem(415, "Unsupported Media Type",
                   f"Send NDJSON (application/x-ndjson) or CSV (text/csv), not {content_type or 'nothing'}.")
