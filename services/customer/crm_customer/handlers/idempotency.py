"""Idempotency-Key on writes a client may retry: the key is claimed in the write's own transaction, so a
key is stored exactly when its record is, and a retry answers the record the first request created."""

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from crm_customer.models import IdempotencyKey
from crm_customer.repository import idempotency as repository
from crm_kit.problems import Problem, field_error

HEADER = "Idempotency-Key"


def fingerprint(request: str, body: dict[str, Any]) -> str:
    canonical = json.dumps([request, body], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def first_answer(session: AsyncSession, key: str | None, dealer_id: str, request: str, body: dict[str, Any],
                       resource_id: uuid.UUID | str, status_code: int = 201) -> IdempotencyKey | None:
    """Claims `key` for this write, which is to create `resource_id`. Returns None when the write should go
    ahead (no key, or a new one), or the stored answer of the earlier request that used the key."""
    if key is None:
        return None
    request_hash = fingerprint(request, body)
    earlier = await repository.claim_key(session, IdempotencyKey(
        dealer_id=dealer_id, key=key, request_hash=request_hash, resource_id=str(resource_id),
        status_code=status_code, created_at=datetime.now(UTC)))
    if earlier is not None and earlier.request_hash != request_hash:
        raise Problem(422, "Unprocessable Content", "This Idempotency-Key was used for a different request.",
                      errors=[field_error("header", HEADER, "used already with another body or route: send a new key "
                                                            "for a new request")])
    return earlier


async def answered_with(session: AsyncSession, key: str | None, dealer_id: str, resource_id: uuid.UUID | str,
                        status_code: int) -> None:
    """The write turned out to answer with another record than the one claimed (a visit's order number
    matched one stored already)."""
    if key is not None:
        await repository.point_key(session, dealer_id, key, str(resource_id), status_code)
