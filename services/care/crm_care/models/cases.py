"""Complaint cases and rescue requests."""

import sqlalchemy as sa
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
    sa.Column("idempotency_key", sa.Text),
    sa.UniqueConstraint("dealer_id", "idempotency_key", name="care_cases_idempotency"),
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
    sa.Column("idempotency_key", sa.Text),
    sa.UniqueConstraint("dealer_id", "idempotency_key", name="care_rescues_idempotency"),
)
