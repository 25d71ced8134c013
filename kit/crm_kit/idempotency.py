"""Idempotency-Key on the writes a client may retry (a phone on a bad network, a partner's queue).

The rule every service keeps, as the common payment APIs do:
- the key is 1–255 printable ASCII characters, chosen by the client (a UUID is the usual choice), and is
  the dealer's own: another dealer's same key is another request;
- the same key with the same route and body answers what the first request did and stores nothing new;
- the same key with another route or body is refused (422, naming the header): it is the client's mistake;
- a request that is refused does not use up its key, since the key is claimed in the write's own transaction;
- keys are kept `idempotency_key_hours` (24 h by default) and then swept, after which the key is new again.
  A key past its hours but not yet swept still replays: a sweep runs every few minutes.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import FastAPI, Header
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from crm_kit.db import Sessions
from crm_kit.loops import repeat
from crm_kit.problems import Problem, field_error

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
KEY_PATTERN = r"^[\x20-\x7e]+$"
SWEEP_IDLE_SECONDS = 300.0
SWEEP_BATCH_SIZE = 1000

IdempotencyKey = Annotated[str | None, Header(
    alias=HEADER, min_length=1, max_length=MAX_KEY_LENGTH, pattern=KEY_PATTERN,
    description="1–255 printable ASCII characters, e.g. a UUID. Retrying a write with the same key and body answers "
                "what the first request did and stores nothing new; the same key with another body is refused "
                "(422). Keys are kept 24 hours, then a key is new again.")]

idempotency_metadata = sa.MetaData()

idempotency_keys = sa.Table(
    "idempotency_keys",
    idempotency_metadata,
    sa.Column("dealer_id", sa.Text, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("request_hash", sa.Text, nullable=False),  # route and body: another request under a used key is refused
    sa.Column("resource_id", sa.Text, nullable=False),
    sa.Column("status_code", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("idempotency_keys_created_at", "created_at"),
)


@dataclass(frozen=True)
class FirstAnswer:
    """What the first request under a key created, for the retry to answer again."""

    resource_id: str
    status_code: int


def fingerprint(request: str, body: dict[str, Any]) -> str:
    canonical = json.dumps([request, body], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def reused_key() -> Problem:
    return Problem(422, "Unprocessable Content", f"This {HEADER} was used for a different request.",
                   errors=[field_error("header", HEADER, "used already with another body or route: send a new key "
                                                         "for a new request")])


async def first_answer(session: AsyncSession, key: str | None, dealer_id: str, request: str, body: dict[str, Any],
                       resource_id: uuid.UUID | str, status_code: int = 201) -> FirstAnswer | None:
    """Claims `key` for this write, which is to create `resource_id`, in the caller's transaction. Returns None
    when the write should go ahead (no key, or a new one), or the answer of the earlier request under the key.

    A concurrent request holding the same key makes this wait until it commits (then its answer is returned)
    or rolls back (then this one claims the key)."""
    if key is None:
        return None
    request_hash = fingerprint(request, body)
    claimed = (await session.execute(
        insert(idempotency_keys).values(dealer_id=dealer_id, key=key, request_hash=request_hash,
                                        resource_id=str(resource_id), status_code=status_code,
                                        created_at=datetime.now(UTC))
        .on_conflict_do_nothing().returning(idempotency_keys.c.key))).first()
    if claimed is not None:
        return None
    earlier = (await session.execute(sa.select(idempotency_keys).where(
        idempotency_keys.c.dealer_id == dealer_id, idempotency_keys.c.key == key))).one()
    if earlier.request_hash != request_hash:
        raise reused_key()
    return FirstAnswer(earlier.resource_id, earlier.status_code)


async def answered_with(session: AsyncSession, key: str | None, dealer_id: str, resource_id: uuid.UUID | str,
                        status_code: int) -> None:
    """The write turned out to answer with another record than the one claimed (e.g. a visit whose order
    number was stored already): a retry answers that record."""
    if key is not None:
        await session.execute(sa.update(idempotency_keys).where(
            idempotency_keys.c.dealer_id == dealer_id, idempotency_keys.c.key == key)
            .values(resource_id=str(resource_id), status_code=status_code))


async def sweep_expired(sessions: Sessions, lifetime: timedelta, batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Delete one batch of keys older than `lifetime`; returns how many went. Batches keep each transaction
    short; SKIP LOCKED leaves a key a request is replaying to that request, and lets replicas sweep together."""
    expired = (sa.select(idempotency_keys.c.dealer_id, idempotency_keys.c.key)
               .where(idempotency_keys.c.created_at < datetime.now(UTC) - lifetime)
               .limit(batch_size).with_for_update(skip_locked=True))
    async with sessions() as session, session.begin():
        deleted = await session.execute(idempotency_keys.delete().where(
            sa.tuple_(idempotency_keys.c.dealer_id, idempotency_keys.c.key).in_(expired)))
    return deleted.rowcount


async def key_sweeper(app: FastAPI) -> None:
    """The background loop a service lists to purge its expired keys (`<PREFIX>_IDEMPOTENCY_KEY_HOURS`)."""
    lifetime = timedelta(hours=app.state.settings.idempotency_key_hours)

    async def step() -> bool:
        return await sweep_expired(app.state.sessions, lifetime) >= SWEEP_BATCH_SIZE

    await repeat("idempotency key sweep", step, SWEEP_IDLE_SECONDS)
