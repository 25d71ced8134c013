"""Partner webhook subscriptions, their deliveries (one per event) and each attempt (the delivery log)."""

import uuid
from datetime import UTC, datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import AwareDatetime, ConfigDict
from sqlalchemy.dialects import postgresql
from sqlmodel import Field

from crm_gateway.models.base import Model

SubscriptionStatus = Literal["active", "paused", "disabled"]
# held: the subscription is paused; sent, in their order, once it is resumed.
DeliveryStatus = Literal["pending", "held", "delivered", "failed"]


def _now() -> datetime:
    return datetime.now(UTC)


class Subscription(Model, table=True):
    __tablename__ = "webhook_subscriptions"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner: str  # the API client id (or staff username) that created it
    url: str
    event_types: list[str] = Field(sa_column=sa.Column(postgresql.ARRAY(sa.Text), nullable=False))
    dealers: list[str] = Field(sa_column=sa.Column(postgresql.ARRAY(sa.Text), nullable=False))
    secret: str  # needed in clear to sign; the database is the gateway's own
    status: str = "active"
    disabled_reason: str | None = None
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True))


class SubscriptionCreate(Model):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000)
    event_types: list[str] = Field(min_length=1, description='e.g. ["crm.customer.registered.v1"], or ["*"]')
    dealers: list[str] | None = Field(None, description="Default: every dealer the caller may see")


class SubscriptionPublic(Model):
    id: uuid.UUID
    owner: str
    url: str
    event_types: list[str]
    dealers: list[str]
    status: SubscriptionStatus = Field(description="`paused`: events are recorded as held and sent, in order, on "
                                                   "resume; `disabled`: given up by the gateway (see the reason)")
    disabled_reason: str | None
    created_at: datetime


class SubscriptionCreated(SubscriptionPublic):
    secret: str = Field(description="Verify `webhook-signature` with it (Standard Webhooks); shown once")


class WebhookDelivery(Model, table=True):
    __tablename__ = "webhook_deliveries"

    id: int | None = Field(default=None, primary_key=True)  # also the order deliveries go out in
    subscription_id: uuid.UUID = Field(foreign_key="webhook_subscriptions.id", ondelete="CASCADE")
    event_id: uuid.UUID
    event_type: str
    subject: str  # the customer id: one customer's events go out in order
    dealer_id: str
    event_time: datetime = Field(sa_type=sa.DateTime(timezone=True))
    body: bytes = Field(sa_type=sa.LargeBinary)
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True))
    last_status: int | None = None
    last_error: str | None = None
    replay: bool = False
    created_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True))
    delivered_at: datetime | None = Field(None, sa_type=sa.DateTime(timezone=True))


class DeliveryAttempt(Model, table=True):
    __tablename__ = "webhook_attempts"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="webhook_deliveries.id", ondelete="CASCADE", index=True)
    attempted_at: datetime = Field(default_factory=_now, sa_type=sa.DateTime(timezone=True))
    status_code: int | None = None
    error: str | None = None
    duration_ms: float


class DeliveryPublic(Model):
    id: int
    event_id: uuid.UUID
    event_type: str
    subject: str
    dealer_id: str
    event_time: datetime
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    replay: bool
    delivered_at: datetime | None


class ReplayRequest(Model):
    model_config = ConfigDict(extra="forbid")

    since: AwareDatetime = Field(description="Send again every event of this subscription from this time on")


class ReplayQueued(Model):
    queued: int = Field(description="Deliveries queued again: one per event since `since`, in their original "
                                    "order")


class AttemptPublic(Model):
    """One try at sending a delivery: what the receiver answered, or why nothing came back."""

    id: int
    attempted_at: datetime
    status_code: int | None = Field(description="The receiver's HTTP status; null when it was not reached")
    error: str | None = Field(description="Why the receiver was not reached (refused, timed out …)")
    duration_ms: float
