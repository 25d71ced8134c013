"""The staff task queue."""

import uuid
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.dialects.postgresql import UUID

from crm_care.models.base import TZ, metadata
from crm_contracts.events.care import TaskOutcome

tasks = sa.Table(
    "care_tasks", metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("dealer_id", sa.Text, nullable=False),
    sa.Column("customer_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("vehicle_id", UUID(as_uuid=True)),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("priority", sa.Text, nullable=False),
    sa.Column("due_at", TZ, nullable=False),
    sa.Column("sla_at", TZ, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="open"),
    sa.Column("assignee", sa.Text),
    sa.Column("outcome", sa.Text),
    sa.Column("notes", sa.Text),
    sa.Column("action_id", UUID(as_uuid=True), unique=True),
    sa.Column("case_id", UUID(as_uuid=True)),
    sa.Column("rescue_id", UUID(as_uuid=True)),
    sa.Column("invitation_id", UUID(as_uuid=True)),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("completed_at", TZ),
    sa.Index("care_tasks_queue", "dealer_id", "role", "status", "due_at"),
)


Priority = Literal["low", "normal", "high", "urgent"]


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID
    vehicle_id: uuid.UUID | None = None
    dealer_id: str | None = None
    kind: Literal["call", "visit", "gift"]
    role: str = Field("cr_activity", min_length=1, max_length=40)
    priority: Priority = "normal"
    due_at: datetime
    notes: str | None = Field(None, max_length=2000)


class TaskAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: str = Field(min_length=1, max_length=100)


class TaskComplete(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: TaskOutcome
    notes: str | None = Field(None, max_length=2000)


class TaskPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    dealer_id: str
    customer_id: uuid.UUID
    vehicle_id: uuid.UUID | None
    kind: str
    role: str
    reason: str
    priority: str
    due_at: datetime
    sla_at: datetime = Field(description="When the task counts as overdue")
    status: Literal["open", "done", "cancelled"]
    assignee: str | None
    outcome: str | None
    notes: str | None
    action_id: uuid.UUID | None
    case_id: uuid.UUID | None
    rescue_id: uuid.UUID | None
    invitation_id: uuid.UUID | None = Field(
        description="The survey invitation a 回访 call reads out: its questionnaire, answered by phone")
    created_at: datetime
    completed_at: datetime | None
