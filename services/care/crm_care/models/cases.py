"""Complaint cases and rescue requests."""

import uuid
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.dialects.postgresql import UUID

from crm_care.models.base import TZ, metadata

cases = sa.Table(
    "care_cases", metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("dealer_id", sa.Text, nullable=False),
    sa.Column("customer_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("alert_id", UUID(as_uuid=True), unique=True),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("escalation_level", sa.Integer, nullable=False, server_default="0"),
    sa.Column("first_contact_due", TZ, nullable=False),
    sa.Column("first_contacted_at", TZ),
    sa.Column("resolution", sa.Text),
    sa.Column("opened_at", TZ, nullable=False),
    sa.Column("resolved_at", TZ),
    sa.Column("closed_at", TZ),
    sa.Column("idempotency_key", sa.Text),  # no longer written (the kit keeps keys): dropped once no replica writes it
    sa.UniqueConstraint("dealer_id", "idempotency_key", name="care_cases_idempotency"),
)


# Who did what to a case, and when: the case's own columns keep only the latest of each moment.
case_actions = sa.Table(
    "care_case_actions", metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("case_id", UUID(as_uuid=True), sa.ForeignKey("care_cases.id", ondelete="CASCADE"), nullable=False),
    sa.Column("dealer_id", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("actor", sa.Text),
    sa.Column("note", sa.Text),
    sa.Column("at", TZ, nullable=False),
    sa.Index("care_case_actions_case", "case_id", "at"),
)


rescues = sa.Table(
    "care_rescues", metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("dealer_id", sa.Text, nullable=False),
    sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
    sa.Column("vehicle_id", UUID(as_uuid=True)),
    sa.Column("latitude", sa.Float, nullable=False),
    sa.Column("longitude", sa.Float, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("task_id", UUID(as_uuid=True)),
    sa.Column("requested_at", TZ, nullable=False),
    sa.Column("updated_at", TZ, nullable=False),
    sa.Column("idempotency_key", sa.Text),  # no longer written (the kit keeps keys): dropped once no replica writes it
    sa.UniqueConstraint("dealer_id", "idempotency_key", name="care_rescues_idempotency"),
)


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID
    dealer_id: str | None = None
    summary: str = Field(min_length=1, max_length=2000)
    alert_id: uuid.UUID | None = Field(None, description="The survey's hot alert the case answers: one case each")


class CaseMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["start", "resolve", "close", "reopen", "escalate", "note"]
    resolution: str | None = Field(None, max_length=2000)
    note: str | None = Field(None, max_length=2000, description="What was done or said; `note` needs it")
    resolution_confirmed: bool = Field(False, description="The customer confirmed the resolution (to close)")


class CasePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    dealer_id: str
    customer_id: uuid.UUID
    source: Literal["manual", "hot_alert"]
    alert_id: uuid.UUID | None = Field(description="The survey's hot alert that opened the case")
    state: Literal["open", "in_progress", "resolved", "closed"]
    summary: str
    escalation_level: int
    first_contact_due: datetime
    first_contacted_at: datetime | None
    first_contact_overdue: bool = Field(description="Not contacted and the first-contact time has passed")
    resolution: str | None
    opened_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None


CaseActionKind = Literal["opened", "assigned", "contacted", "start", "resolve", "close", "reopen", "escalate", "note"]


class CaseActionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    case_id: uuid.UUID
    action: CaseActionKind = Field(description="`opened`, `assigned` (its first-contact call taken; `note` names "
                                               "the assignee) and `contacted` (that call done) come from care; the "
                                               "others are the moves staff made")
    actor: str | None = Field(description="The user who did it; none when a survey's hot alert opened the case")
    note: str | None = Field(description="The resolution, or the note, in the staff's words")
    at: datetime


class CaseActionLog(BaseModel):
    items: list[CaseActionPublic] = Field(description="Oldest first; a case's actions are few, so one page")


class RescueCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID
    vehicle_id: uuid.UUID | None = None
    dealer_id: str | None = None
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    description: str = Field(min_length=1, max_length=2000)


class RescueMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["dispatched", "arrived", "completed", "cancelled"]


class RescuePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    dealer_id: str
    customer_id: uuid.UUID
    vehicle_id: uuid.UUID | None
    latitude: float
    longitude: float
    description: str
    status: Literal["requested", "dispatched", "arrived", "completed", "cancelled"]
    task_id: uuid.UUID | None = Field(description="The urgent task the dealer works it from")
    requested_at: datetime
    updated_at: datetime
