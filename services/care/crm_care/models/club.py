"""The customer club (客户俱乐部): members, activities, sign-ups."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.dialects.postgresql import UUID

from crm_care.models.base import TZ, metadata

club_members = sa.Table(
    "care_club_members", metadata,
    sa.Column("dealer_id", sa.Text, primary_key=True),
    sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("level", sa.Text, nullable=False, server_default="member"),
    sa.Column("joined_at", TZ, nullable=False),
)


club_activities = sa.Table(
    "care_club_activities", metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("dealer_id", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("starts_at", TZ, nullable=False),
    sa.Column("capacity", sa.Integer, nullable=False),
)


club_signups = sa.Table(
    "care_club_signups", metadata,
    sa.Column("activity_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("signed_up_at", TZ, nullable=False),
)


class MemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID
    dealer_id: str | None = None
    level: str = Field("member", min_length=1, max_length=40)


class MemberPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    dealer_id: str
    customer_id: uuid.UUID
    level: str
    joined_at: datetime


class ActivityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dealer_id: str | None = None
    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    capacity: int = Field(ge=1, le=10_000)


class ActivityPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    dealer_id: str
    title: str
    starts_at: datetime
    capacity: int


class SignUp(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID


class SignUpPublic(BaseModel):
    activity_id: uuid.UUID
    customer_id: uuid.UUID
    signed_up: int = Field(description="Sign-ups for the activity, this one included")
