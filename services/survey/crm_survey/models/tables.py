"""What the survey service stores. Migrations: migrations/versions/0002_survey_records.py."""

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

from crm_survey.models.base import Model

TIMESTAMP = sa.DateTime(timezone=True)


class TemplateVersion(Model, table=True):
    """One version of a template; a published version is never changed again."""

    __tablename__ = "template_versions"

    template_id: uuid.UUID = Field(primary_key=True)
    version: int = Field(primary_key=True)
    dealer_id: str | None = None  # None: the network's own template, for every dealer
    kind: str
    name: str
    status: str = "draft"  # draft, published
    definition: dict[str, Any] = Field(sa_type=JSONB)
    created_by: str
    created_at: datetime = Field(sa_type=TIMESTAMP)
    published_at: datetime | None = Field(default=None, sa_type=TIMESTAMP)
    # Counts changes across the whole template (each new version goes on from the last): the newest
    # version's revision is the template's ETag, so an edit names the state of the template it read.
    revision: int = 1


class DealerSurveySettings(Model, table=True):
    __tablename__ = "dealer_settings"

    dealer_id: str = Field(primary_key=True)
    ssi_delay_days: int
    csi_delay_hours: int
    follow_up_delay_days: int
    expiry_days: int
    quiet_period_days: int
    stale_visit_days: int
    ssi_template_id: uuid.UUID | None = None
    csi_template_id: uuid.UUID | None = None
    follow_up_template_id: uuid.UUID | None = None
    updated_at: datetime = Field(sa_type=TIMESTAMP)
    updated_by: str
    version: int = 1  # raised by every save: the ETag a change must name (0: never saved, defaults shown)


class SurveyCustomer(Model, table=True):
    """What this service learns of a customer from events: language, survey consent, erasure, merge."""

    __tablename__ = "survey_customers"

    customer_id: uuid.UUID = Field(primary_key=True)
    dealer_id: str
    language: str = "zh-CN"
    consent_channels: list[str] = Field(default_factory=list, sa_type=JSONB)  # channels with survey consent
    erased: bool = False
    merged_into: uuid.UUID | None = None
    updated_at: datetime = Field(sa_type=TIMESTAMP)


class Invitation(Model, table=True):
    __tablename__ = "invitations"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token: str = Field(unique=True)
    customer_id: uuid.UUID = Field(index=True)
    dealer_id: str
    kind: str
    template_id: uuid.UUID
    template_version: int
    visit_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    advisor_id: str | None = None
    language: str = "zh-CN"
    status: str  # scheduled, sent, opened, answered, expired; suppressed when it must not go out
    suppressed_reason: str | None = None
    send_at: datetime = Field(sa_type=TIMESTAMP)
    expires_at: datetime = Field(sa_type=TIMESTAMP)
    sent_at: datetime | None = Field(default=None, sa_type=TIMESTAMP)
    opened_at: datetime | None = Field(default=None, sa_type=TIMESTAMP)
    answered_at: datetime | None = Field(default=None, sa_type=TIMESTAMP)
    expired_at: datetime | None = Field(default=None, sa_type=TIMESTAMP)
    created_at: datetime = Field(sa_type=TIMESTAMP)


class SurveyResponse(Model, table=True):
    __tablename__ = "responses"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    invitation_id: uuid.UUID = Field(unique=True)
    customer_id: uuid.UUID = Field(index=True)
    dealer_id: str
    kind: str
    template_id: uuid.UUID
    template_version: int
    advisor_id: str | None = None
    channel: str  # web, phone
    agent_id: str | None = None  # who recorded a phone follow-up
    answers: dict[str, Any] = Field(sa_type=JSONB)  # ratings and choices
    free_text: dict[str, str] = Field(default_factory=dict, sa_type=JSONB)  # erased with the customer
    index: float | None = None
    factor_scores: dict[str, float] = Field(default_factory=dict, sa_type=JSONB)
    nps: int | None = None
    nps_category: str | None = None
    satisfaction_ratio: float | None = None
    pair_ratios: dict[str, float] = Field(default_factory=dict, sa_type=JSONB)
    metrics: dict[str, float] = Field(default_factory=dict, sa_type=JSONB)  # what the rollups were given
    recorded_at: datetime = Field(sa_type=TIMESTAMP)


class HotAlertRecord(Model, table=True):
    __tablename__ = "hot_alerts"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    response_id: uuid.UUID
    customer_id: uuid.UUID = Field(index=True)
    dealer_id: str
    kind: str
    question_id: str
    question_text: str
    score: float
    comment: str | None = None
    status: str = "open"  # open, resolved
    raised_at: datetime = Field(sa_type=TIMESTAMP)
    case_id: uuid.UUID | None = None
    resolved_at: datetime | None = Field(default=None, sa_type=TIMESTAMP)


class ScoreRollup(Model, table=True):
    """Monthly sums per dealer, advisor and metric: analytics read these (plus the increments not folded in
    yet), never the raw responses."""

    __tablename__ = "score_rollups"

    kind: str = Field(primary_key=True)
    dealer_id: str = Field(primary_key=True)
    month: date = Field(primary_key=True)
    advisor_id: str = Field(primary_key=True)  # "" when no advisor is known
    metric: str = Field(primary_key=True)
    total: float
    count: int = Field(sa_type=sa.BigInteger)


class ScoreRollupIncrement(Model, table=True):
    """One answer's (or sent invitation's) additions to the monthly sums, appended in its own transaction and
    folded into `score_rollups` by a background job; reads add the ones not folded yet, so sums stay exact."""

    __tablename__ = "score_rollup_increments"

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    kind: str
    dealer_id: str
    month: date
    advisor_id: str
    metric: str
    total: float
    count: int = Field(sa_type=sa.BigInteger)
