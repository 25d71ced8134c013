"""Events the survey service publishes on crm.survey.v1 (key: the customer id)."""

import uuid
from datetime import datetime
from typing import Literal

from crm_contracts import topics
from crm_contracts.registry import Payload, event

SurveyKind = Literal["ssi", "csi", "nps", "follow_up"]


@event("crm.survey.invitation.created.v1", topic=topics.SURVEY)
class SurveyInvitationCreated(Payload):
    """An invitation is due to be sent; the care service delivers `link_path` on a consented channel."""

    invitation_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    survey_kind: SurveyKind
    template_id: uuid.UUID
    template_version: int
    visit_id: uuid.UUID | None = None
    link_path: str
    language: Literal["zh-CN", "en"] = "zh-CN"
    send_at: datetime
    expires_at: datetime


@event("crm.survey.response.recorded.v1", topic=topics.SURVEY)
class SurveyResponseRecorded(Payload):
    """A survey was answered: scores only, no free text."""

    response_id: uuid.UUID
    invitation_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    survey_kind: SurveyKind
    template_version: int
    index: float | None = None
    factor_scores: dict[str, float] = {}
    nps: int | None = None
    nps_category: Literal["promoter", "passive", "detractor"] | None = None
    satisfaction_ratio: float | None = None
    advisor_id: str | None = None
    channel: Literal["web", "phone"] = "web"
    recorded_at: datetime


@event("crm.survey.hot_alert.raised.v1", topic=topics.SURVEY)
class HotAlertRaised(Payload):
    """A poor answer that the dealer must act on at once (a complaint case follows)."""

    alert_id: uuid.UUID
    response_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    survey_kind: SurveyKind
    question_id: str
    question_text: str
    score: float
    comment: str | None = None
    raised_at: datetime


@event("crm.survey.invitation.expired.v1", topic=topics.SURVEY)
class SurveyInvitationExpired(Payload):
    """An invitation was not answered before it expired."""

    invitation_id: uuid.UUID
    customer_id: uuid.UUID
    dealer_id: str
    expired_at: datetime
