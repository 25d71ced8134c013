"""Bulk imports as jobs: the upload is COPied into `import_rows` as it streams in; a background worker (any
replica) handles a job's rows in batches of thousands, each batch's records, events and per-row outcomes in one
transaction, so a crash or restart resumes where the last committed batch ended and doubles nothing.

A batch first hashes each staged row (keyed, over PostgreSQL's canonical JSON of it) and looks the hashes up in
`import_fingerprints` in one query: a row handled before whose record has not changed since is `unchanged` at
once, without being validated again, which makes a dealer's nightly file cost little. The rest are validated
one by one with the same domain rules as the API, then written set-wise (see `import_rows`)."""

import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_contracts import Envelope
from crm_contracts.events.customer import ImportCompleted
from crm_customer.domain.imports import csv_header, lines_of, parse_csv, parse_ndjson
from crm_customer.domain.pii import Keyring
from crm_customer.handlers import import_records, import_rows
from crm_customer.handlers.common import event, import_job, visible
from crm_customer.handlers.import_rows import Outcome, Staged
from crm_customer.models import ImportJob, ImportRow
from crm_customer.repository import customers as customer_repository
from crm_customer.repository import imports as repository
from crm_kit.auth import Principal
from crm_kit.db import Sessions, unavailable
from crm_kit.outbox import stage_many
from crm_kit.problem_texts import keyed
from crm_kit.problems import Problem

log = logging.getLogger(__name__)

STAGE_BATCH = 5000
PROCESSORS = {"customers": import_rows.customers, "vehicles": import_records.vehicles,
              "visits": import_records.visits}
COUNTED = ("created", "updated", "unchanged", "failed")


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
    staged: list[tuple] = []
    total = failed_at_parse = 0
    async for line, text in lines_of(chunks):
        if file_format == "csv" and header is None:
            header = csv_header(text)
            continue
        try:
            if file_format == "ndjson":
                parse_ndjson(text)  # refuses what is not one JSON object; PostgreSQL keeps the text as jsonb
                staged.append((job.id, line, text, None, None))
            else:
                staged.append((job.id, line, json.dumps(parse_csv(text, header or []), ensure_ascii=False),
                               None, None))
        except ValueError as error:
            failed_at_parse += 1
            staged.append((job.id, line, None, "failed",
                           json.dumps([keyed({"in": "body", "pointer": ""}, str(error))], ensure_ascii=False)))
        total += 1
        if len(staged) >= STAGE_BATCH:
            await _stage(session, staged)
            staged = []
    await _stage(session, staged)
    async with session.begin():
        job = await repository.get_job(session, job.id)
        job.total_rows, job.failed, job.processed = total, failed_at_parse, failed_at_parse
        job.status = "queued"
        if job.processed >= job.total_rows:
            await _finish(session, job)
        customer_repository.add(session, job)
    return job


async def _stage(session: AsyncSession, rows: list[tuple]) -> None:
    if rows:
        async with session.begin():
            await repository.stage_rows(session, rows)


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
        rows = await repository.pending_rows(session, job, 1) if job else []
        if not rows:
            return 0
        detail = f"could not be processed ({type(error).__name__}); the service log has the details"
        outcome = {"line": rows[0][0], "outcome": "failed", "errors": [{"in": "body", "pointer": "",
                                                                        "detail": detail}]}
        await _settle(session, job, [outcome], [])
        return 1


async def _process(sessions: Sessions, keyring: Keyring, batch_size: int) -> int:
    async with sessions() as session, session.begin():
        job = await repository.claim_job(session)
        if job is None:
            return 0
        staged = await repository.pending_rows(session, job, batch_size)
        outcomes, events = await _handle(session, keyring, job, staged)
        await _settle(session, job, outcomes, events)
        return max(len(staged), 1)


async def _handle(session: AsyncSession, keyring: Keyring, job: ImportJob, staged: list[tuple[int, str]]
                  ) -> tuple[list[Outcome], list[Envelope]]:
    """Rows whose fingerprint holds are unchanged; the others go through the kind's processor, under the job's
    id so that every event it builds carries it."""
    digests = {line: fingerprint(keyring, job.kind, text) for line, text in staged}
    known = await repository.fingerprint_hits(session, job.dealer_id, job.kind, list(set(digests.values())))
    outcomes: list[Outcome] = []
    fresh: list[Staged] = []
    for line, text in staged:
        record_id = known.get(digests[line])
        if record_id is None:
            fresh.append(Staged(line, json.loads(text)))
        else:
            outcomes.append({"line": line, "outcome": "unchanged", "record_id": str(record_id)})
    token = import_job.set(str(job.id))
    try:
        handled, events = await PROCESSORS[job.kind](session, keyring, job.dealer_id, fresh) if fresh else ([], [])
    finally:
        import_job.reset(token)
    prints = {digests[o["line"]]: (digests[o["line"]], uuid.UUID(o["record_id"]), o["version"], o.get("owner_version"))
              for o in handled if o["outcome"] != "failed"}
    await repository.save_fingerprints(session, job.dealer_id, job.kind, list(prints.values()))
    return outcomes + handled, events


def fingerprint(keyring: Keyring, kind: str, payload: str) -> bytes:
    """Keyed, so that the table never lets anyone test a guessed ID number or mobile against it."""
    return hmac.new(keyring.lookup_key, f"{kind}\n{payload}".encode(), hashlib.sha256).digest()


async def _settle(session: AsyncSession, job: ImportJob, outcomes: list[Outcome], events: list[Envelope]) -> None:
    """Outcomes, events and the job's counts in the batch's transaction; the last batch finishes the job."""
    await repository.record_outcomes(session, job.id, outcomes)
    job.events += await stage_many(session, events)
    for name in COUNTED:
        setattr(job, name, getattr(job, name) + sum(1 for o in outcomes if o["outcome"] == name))
    job.processed += len(outcomes)
    job.handled_through = max([job.handled_through, *(o["line"] for o in outcomes)])
    job.status = "running"
    if job.processed >= job.total_rows or not outcomes:  # no row left to handle is done, whatever the counts
        await _finish(session, job)
    customer_repository.add(session, job)


async def _finish(session: AsyncSession, job: ImportJob) -> None:
    """Done, and `ImportCompleted` in the same transaction: it counts the job's events, which carry its id
    (`importjob`); it does not carry it itself, so a consumer counting those events finds exactly `events`."""
    job.status, job.finished_at = "done", datetime.now(UTC)
    await stage_many(session, [event(ImportCompleted(
        job_id=job.id, dealer_id=job.dealer_id, kind=job.kind, rows=job.total_rows, created=job.created,
        updated=job.updated, unchanged=job.unchanged, failed=job.failed, events=job.events,
        completed_at=job.finished_at), job.id, job.dealer_id)])


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
