"""Request and reply shapes of the HTTP API."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_survey.domain.templates import SurveyKind, TemplateDefinition

InvitationStatus = Literal["scheduled", "sent", "opened", "answered", "expired", "suppressed"]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AnswersSubmit(Request):
    answers: dict[str, Any] = Field(description="question id -> answer: a number for scales, an option id, "
                                    "a list of option ids, text, or {expectation, experience}")


class PhoneFollowUp(AnswersSubmit):
    """What the customer said on a follow-up call (回访); the agent is the caller's login."""


class TemplateCreate(Request):
    name: str = Field(min_length=1, max_length=200)
    dealer_id: str | None = Field(None, description="Omit for a network template (carmaker staff only)")
    definition: TemplateDefinition


class TemplateChange(Request):
    name: str | None = Field(None, min_length=1, max_length=200)
    definition: TemplateDefinition


class TemplatePublic(BaseModel):
    template_id: uuid.UUID
    version: int
    dealer_id: str | None
    kind: str
    name: str
    status: str
    definition: dict[str, Any]
    created_by: str
    created_at: datetime
    published_at: datetime | None
    revision: int  # the ETag of the template while this is its newest version


class DealerSettingsBody(Request):
    ssi_delay_days: int = Field(3, ge=0, le=90, description="Days after delivery before the SSI goes out")
    csi_delay_hours: int = Field(24, ge=0, le=24 * 30, description="Hours after a repair order closes before the CSI")
    follow_up_delay_days: int = Field(10, ge=0, le=90, description="Days after a complaint is resolved")
    expiry_days: int = Field(15, ge=1, le=90)
    quiet_period_days: int = Field(90, ge=0, le=730, description="No second survey to a customer within this")
    stale_visit_days: int = Field(14, ge=0, le=365, description="The survey window: older visits get no invitation")
    ssi_template_id: uuid.UUID | None = None
    csi_template_id: uuid.UUID | None = None
    follow_up_template_id: uuid.UUID | None = None


class DealerSettingsPublic(DealerSettingsBody):
    dealer_id: str
    updated_at: datetime | None = None
    updated_by: str | None = None
    version: int = 0  # as the ETag says; 0 while the defaults were never saved


class InvitationPublic(BaseModel):
    id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    kind: SurveyKind
    template_id: uuid.UUID
    template_version: int
    visit_id: uuid.UUID | None
    case_id: uuid.UUID | None
    advisor_id: str | None
    language: str
    status: InvitationStatus
    suppressed_reason: str | None
    link_path: str
    send_at: datetime
    expires_at: datetime
    sent_at: datetime | None
    opened_at: datetime | None
    answered_at: datetime | None
    expired_at: datetime | None
    created_at: datetime


class ResponsePublic(BaseModel):
    id: uuid.UUID
    invitation_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    kind: SurveyKind
    template_id: uuid.UUID
    template_version: int
    advisor_id: str | None
    channel: Literal["web", "phone"]
    agent_id: str | None
    answers: dict[str, Any]
    free_text: dict[str, str]
    index: float | None
    factor_scores: dict[str, float]
    nps: int | None
    nps_category: str | None
    satisfaction_ratio: float | None
    pair_ratios: dict[str, float]
    recorded_at: datetime


class HotAlertPublic(BaseModel):
    id: uuid.UUID
    response_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    kind: SurveyKind
    question_id: str
    question_text: str
    score: float
    comment: str | None
    status: Literal["open", "resolved"]
    raised_at: datetime
    case_id: uuid.UUID | None
    resolved_at: datetime | None


class PublicReceipt(BaseModel):
    """What a respondent sees after answering: their answers, never the scores."""

    response_id: uuid.UUID
    recorded_at: datetime
    answers: dict[str, Any]
    message: str
