"""Staff notifications (a hot alert, a case nearing its SLA, a task gone overdue) and each user's choice of channel."""

import uuid
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from crm_care.models.base import TZ, metadata
from crm_kit.problem_texts import Invalid

Kind = Literal["hot_alert", "case_sla", "task_overdue"]
KINDS: tuple[str, ...] = ("hot_alert", "case_sla", "task_overdue")
StaffChannel = Literal["none", "email", "wecom"]

notifications = sa.Table(
    "care_notifications", metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("dealer_id", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("subject_id", UUID(as_uuid=True), nullable=False),
    sa.Column("customer_id", UUID(as_uuid=True)),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("read_at", TZ),
    # The message to the user's own channel: none when they chose none, else queued until sent or dead.
    sa.Column("delivery", sa.Text, nullable=False, server_default="none"),
    sa.Column("channel", sa.Text),
    sa.Column("address", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", TZ),
    sa.Column("provider_id", sa.Text),
    sa.Column("last_error", sa.Text),
    sa.Column("sent_at", TZ),
    # A redelivered event or a second SLA pass finds the row there and makes nothing new.
    sa.UniqueConstraint("user_id", "kind", "subject_id", name="care_notifications_once"),
    sa.Index("care_notifications_inbox", "user_id", "created_at"),
    sa.Index("care_notifications_queued", "next_attempt_at", postgresql_where=sa.text("delivery = 'queued'")),
)

notification_settings = sa.Table(
    "care_notification_settings", metadata,
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("dealer_id", sa.Text, primary_key=True),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("address", sa.Text),
    sa.Column("kinds", ARRAY(sa.Text), nullable=False),
    sa.Column("updated_at", TZ, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),  # the ETag a change names
)


class NotificationSettingsPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dealer_id: str | None = Field(None, description="Needed when you work for more than one dealer")
    channel: StaffChannel = Field(description="Where a message goes besides the console's badge")
    address: str | None = Field(None, max_length=200, description="The e-mail address, or the WeChat Work user id")
    kinds: list[Kind] = Field(default_factory=lambda: list(KINDS), description="What you want to hear about")

    @model_validator(mode="after")
    def address_fits_channel(self) -> "NotificationSettingsPut":
        self.kinds = sorted(set(self.kinds), key=KINDS.index)
        if self.channel == "none":
            self.address = None
        elif not (self.address or "").strip():
            raise Invalid("address_needed", "address: needed for {channel}", channel=self.channel)
        else:
            self.address = self.address.strip()
        return self


class NotificationSettingsPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    dealer_id: str
    channel: StaffChannel
    address: str | None
    kinds: list[Kind]
    updated_at: datetime | None = Field(description="None: never saved, these are the defaults")
    version: int = Field(0, description="As the ETag says; 0 while never saved")


class NotificationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    dealer_id: str
    kind: Kind
    subject_id: uuid.UUID = Field(description="The hot alert, case or task it is about")
    case_id: uuid.UUID | None = Field(None, description="For a hot alert: the complaint case it opened")
    customer_id: uuid.UUID | None
    summary: str
    created_at: datetime
    read_at: datetime | None
    delivery: Literal["none", "queued", "sent", "dead"] = Field(description="The message to your own channel")
    channel: StaffChannel | None


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    marked: int = Field(description="How many notifications this made read")
