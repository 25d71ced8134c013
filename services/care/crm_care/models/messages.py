"""Outbound messages, the contacts that count towards the cap, and each dealer's wording."""

import uuid
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.dialects.postgresql import JSONB, UUID

from crm_care.models.base import TZ, metadata

messages = sa.Table(
    "care_messages", metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("action_id", UUID(as_uuid=True), unique=True),
    sa.Column("dealer_id", sa.Text, nullable=False),
    sa.Column("customer_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("critical", sa.Boolean, nullable=False),
    sa.Column("variables", JSONB, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="queued"),
    sa.Column("block_reason", sa.Text),
    sa.Column("channel", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", TZ, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("provider_id", sa.Text),
    sa.Column("subject", sa.Text),
    sa.Column("body", sa.Text),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("sent_at", TZ),
    sa.Index("care_messages_queued", "next_attempt_at", postgresql_where=sa.text("status = 'queued'")),
)


contacts = sa.Table(
    "care_contacts", metadata,
    sa.Column("message_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("critical", sa.Boolean, nullable=False),
    sa.Column("at", TZ, nullable=False),
    sa.Index("care_contacts_recent", "customer_id", "at"),
)


templates = sa.Table(
    "care_templates", metadata,
    sa.Column("dealer_id", sa.Text, primary_key=True),
    sa.Column("purpose", sa.Text, primary_key=True),
    sa.Column("channel", sa.Text, primary_key=True),
    sa.Column("language", sa.Text, primary_key=True),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("provider_template", sa.Text),
    sa.Column("updated_at", TZ, nullable=False, server_default=sa.func.now()),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),  # the ETag a change names
)


class MessagePublic(BaseModel):
    """A message as staff see it; the variables it was filled from stay inside care."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    action_id: uuid.UUID | None
    dealer_id: str
    customer_id: uuid.UUID
    purpose: str
    rule: str
    critical: bool
    status: Literal["queued", "sent", "blocked", "dead"]
    block_reason: str | None
    channel: str | None
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    provider_id: str | None
    subject: str | None
    body: str | None
    created_at: datetime
    sent_at: datetime | None


class TemplatePut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dealer_id: str | None = None
    purpose: str = Field(min_length=1, max_length=40)
    channel: Literal["sms", "email", "wechat"]
    language: Literal["zh-CN", "en"] = "zh-CN"
    subject: str = Field("", max_length=200)
    body: str = Field(min_length=1, max_length=4000)
    provider_template: str | None = Field(None, max_length=100, description="SMS/WeChat template id at the provider")


class TemplatePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    dealer_id: str
    purpose: str
    channel: Literal["sms", "email", "wechat"]
    language: Literal["zh-CN", "en"]
    subject: str
    body: str
    provider_template: str | None
    updated_at: datetime
    version: int = Field(description="Send it back quoted in If-Match to change this wording")
