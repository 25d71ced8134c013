"""Care: the facts care keeps from events, plans, due actions, tasks, messages, cases, rescue, club.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "care_actions",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("vehicle_id", UUID(as_uuid=True)),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("critical", sa.Boolean, nullable=False),
        sa.Column("variables", JSONB, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("outcome", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("processed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_care_actions_customer_id", "care_actions", ["customer_id"])
    op.create_index("care_actions_pending", "care_actions", ["due_at"], postgresql_where=sa.text("status = 'pending'"))
    op.create_table(
        "care_cases",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("alert_id", UUID(as_uuid=True), unique=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("escalation_level", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_contact_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_contacted_at", sa.DateTime(timezone=True)),
        sa.Column("resolution", sa.Text),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_care_cases_customer_id", "care_cases", ["customer_id"])
    op.create_table(
        "care_club_activities",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
    )
    op.create_table(
        "care_club_members",
        sa.Column("dealer_id", sa.Text, primary_key=True),
        sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("level", sa.Text, nullable=False, server_default="member"),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "care_club_signups",
        sa.Column("activity_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("signed_up_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "care_consents",
        sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("purpose", sa.Text, primary_key=True),
        sa.Column("channel", sa.Text, primary_key=True),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "care_contacts",
        sa.Column("message_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("critical", sa.Boolean, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("care_contacts_recent", "care_contacts", ["customer_id", "at"])
    op.create_table(
        "care_customers",
        sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("birthday", sa.Text),
        sa.Column("lunar_birthday", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("language", sa.Text, nullable=False, server_default="zh-CN"),
        sa.Column("gender", sa.Text),
        sa.Column("erased_at", sa.DateTime(timezone=True)),
        sa.Column("merged_into", UUID(as_uuid=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "care_dealers",
        sa.Column("dealer_id", sa.Text, primary_key=True),
        sa.Column("time_zone", sa.Text, nullable=False, server_default="Asia/Shanghai"),
        sa.Column("quiet_start", sa.Time, nullable=False, server_default="21:00"),
        sa.Column("quiet_end", sa.Time, nullable=False, server_default="09:00"),
        sa.Column("cap", sa.Integer, nullable=False, server_default="2"),
        sa.Column("cap_days", sa.Integer, nullable=False, server_default="7"),
    )
    op.create_table(
        "care_messages",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("action_id", UUID(as_uuid=True), unique=True),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("critical", sa.Boolean, nullable=False),
        sa.Column("variables", JSONB, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="queued"),
        sa.Column("block_reason", sa.Text),
        sa.Column("channel", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("provider_id", sa.Text),
        sa.Column("subject", sa.Text),
        sa.Column("body", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
    )
    op.create_index("care_messages_queued", "care_messages", ["next_attempt_at"], postgresql_where=sa.text("status = 'queued'"))
    op.create_index("ix_care_messages_customer_id", "care_messages", ["customer_id"])
    op.create_table(
        "care_plans",
        sa.Column("dealer_id", sa.Text, primary_key=True),
        sa.Column("rule", sa.Text, primary_key=True),
        sa.Column("params", JSONB, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "care_rescues",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("vehicle_id", UUID(as_uuid=True)),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("task_id", UUID(as_uuid=True)),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "care_tasks",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("vehicle_id", UUID(as_uuid=True)),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sla_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="open"),
        sa.Column("assignee", sa.Text),
        sa.Column("outcome", sa.Text),
        sa.Column("notes", sa.Text),
        sa.Column("action_id", UUID(as_uuid=True), unique=True),
        sa.Column("case_id", UUID(as_uuid=True)),
        sa.Column("rescue_id", UUID(as_uuid=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("care_tasks_queue", "care_tasks", ["dealer_id", "role", "status", "due_at"])
    op.create_index("ix_care_tasks_customer_id", "care_tasks", ["customer_id"])
    op.create_table(
        "care_templates",
        sa.Column("dealer_id", sa.Text, primary_key=True),
        sa.Column("purpose", sa.Text, primary_key=True),
        sa.Column("channel", sa.Text, primary_key=True),
        sa.Column("language", sa.Text, primary_key=True),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("provider_template", sa.Text),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "care_vehicles",
        sa.Column("vehicle_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("customer_id", UUID(as_uuid=True), nullable=False),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("delivery_date", sa.Date),
        sa.Column("registration_date", sa.Date),
        sa.Column("warranty_end", sa.Date),
        sa.Column("insurance_expiry", sa.Date),
        sa.Column("first_km", sa.Integer),
        sa.Column("first_read_on", sa.Date),
        sa.Column("last_km", sa.Integer),
        sa.Column("last_read_on", sa.Date),
        sa.Column("first_service_done", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("last_service_on", sa.Date),
        sa.Column("last_service_km", sa.Integer),
        sa.Column("appointment_on", sa.Date),
    )
    op.create_index("ix_care_vehicles_customer_id", "care_vehicles", ["customer_id"])


def downgrade() -> None:
    op.drop_table("care_vehicles")
    op.drop_table("care_templates")
    op.drop_table("care_tasks")
    op.drop_table("care_rescues")
    op.drop_table("care_plans")
    op.drop_table("care_messages")
    op.drop_table("care_dealers")
    op.drop_table("care_customers")
    op.drop_table("care_contacts")
    op.drop_table("care_consents")
    op.drop_table("care_club_signups")
    op.drop_table("care_club_members")
    op.drop_table("care_club_activities")
    op.drop_table("care_cases")
    op.drop_table("care_actions")
