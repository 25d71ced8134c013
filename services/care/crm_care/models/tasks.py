"""The staff task queue."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from crm_care.models.base import TZ, metadata

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
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("completed_at", TZ),
    sa.Index("care_tasks_queue", "dealer_id", "role", "status", "due_at"),
)
