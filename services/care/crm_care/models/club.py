"""The customer club (客户俱乐部): members, activities, sign-ups."""

import sqlalchemy as sa
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
