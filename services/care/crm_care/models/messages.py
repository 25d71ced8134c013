"""Outbound messages, the contacts that count towards the cap, and each dealer's wording."""

import sqlalchemy as sa
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
)
