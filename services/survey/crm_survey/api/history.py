"""/api/v1/surveys/responses/import: a dealer's past survey results, from the vendor it is leaving."""

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from crm_contracts import permissions
from crm_kit.auth import Principal, check_dealer, require
from crm_kit.db import SessionDep
from crm_kit.idempotency import IdempotencyKey
from crm_survey.handlers import history
from crm_survey.models.api import Request

router = APIRouter(prefix="/api/v1/surveys", tags=["surveys"])
MAX_RESPONSES = 1000


class PastResponseIn(Request):
    external_id: str = Field(min_length=1, max_length=100, pattern=r"^\S(.*\S)?$",
                             description="The vendor's response number: unique within the dealer")
    customer_id: uuid.UUID
    kind: Literal["ssi", "csi"]
    answered_at: datetime = Field(description="When the customer answered, with its UTC offset")
    sent_at: datetime | None = Field(None, description="When the survey went out (default: answered_at)")
    advisor_id: str | None = Field(None, min_length=1, max_length=40)
    channel: Literal["web", "phone"] = "web"
    answers: dict[str, Any] = Field(description="question id -> answer, against the dealer's current template")


class HistoryImport(Request):
    dealer_id: str = Field(min_length=1, max_length=40)
    responses: list[PastResponseIn] = Field(min_length=1, max_length=MAX_RESPONSES)


class HistoryImported(BaseModel):
    created: int = Field(description="Past responses stored now")
    unchanged: int = Field(description="Past responses stored by an earlier import (same vendor number)")


@router.post("/responses/import", response_model=HistoryImported,
             summary="Bring in past survey results; the same vendor number twice is stored once")
async def import_past_responses(data: HistoryImport, session: SessionDep, idempotency_key: IdempotencyKey = None,
                                principal: Principal = require(permissions.SURVEYS_MANAGE)) -> HistoryImported:
    """Answered surveys from the dealer's previous survey vendor count in indices, NPS and trends as live
    answers do (in the months they were answered and sent). They raise no hot alerts. Every row is checked
    first: a bad one refuses the request, naming the field, and nothing is stored."""
    check_dealer(principal, data.dealer_id, "dealer")
    imported = await history.import_history(session, data.dealer_id, [
        history.PastResponse(external_id=row.external_id, customer_id=row.customer_id, kind=row.kind,
                             answered_at=row.answered_at, sent_at=row.sent_at, advisor_id=row.advisor_id,
                             channel=row.channel, answers=row.answers) for row in data.responses],
        agent_id=principal.subject, idempotency_key=idempotency_key)
    return HistoryImported(created=imported.created, unchanged=imported.unchanged)
