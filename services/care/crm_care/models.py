"""The care service's tables (SQLAlchemy Core: the scheduler and the due-scan work on rows in bulk).

What other services own arrives by events and is kept here only as far as care needs it:
customers without names or phones, vehicles' dates and odometer, consent per purpose and channel.
"""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = sa.MetaData()
TZ = sa.DateTime(timezone=True)

customers = sa.Table(
    "care_customers", metadata,
    sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("dealer_id", sa.Text, nullable=False),
    sa.Column("birthday", sa.Text),
    sa.Column("lunar_birthday", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("lunar_birthday_md", sa.Text),
    sa.Column("language", sa.Text, nullable=False, server_default="zh-CN"),
    sa.Column("gender", sa.Text),
    sa.Column("erased_at", TZ),
    sa.Column("merged_into", UUID(as_uuid=True)),
    sa.Column("updated_at", TZ, nullable=False, server_default=sa.func.now()),
)

consents = sa.Table(
    "care_consents", metadata,
    sa.Column("customer_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("purpose", sa.Text, primary_key=True),
    sa.Column("channel", sa.Text, primary_key=True),
    sa.Column("granted", sa.Boolean, nullable=False),
    sa.Column("changed_at", TZ, nullable=False),
)

vehicles = sa.Table(
    "care_vehicles", metadata,
    sa.Column("vehicle_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("customer_id", UUID(as_uuid=True), nullable=False, index=True),
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

dealers = sa.Table(
    "care_dealers", metadata,
    sa.Column("dealer_id", sa.Text, primary_key=True),
    sa.Column("time_zone", sa.Text, nullable=False, server_default="Asia/Shanghai"),
    sa.Column("quiet_start", sa.Time, nullable=False, server_default="21:00"),
    sa.Column("quiet_end", sa.Time, nullable=False, server_default="09:00"),
    sa.Column("cap", sa.Integer, nullable=False, server_default="2"),
    sa.Column("cap_days", sa.Integer, nullable=False, server_default="7"),
)

plans = sa.Table(
    "care_plans", metadata,
    sa.Column("dealer_id", sa.Text, primary_key=True),
    sa.Column("rule", sa.Text, primary_key=True),
    sa.Column("params", JSONB, nullable=False),
    sa.Column("updated_at", TZ, nullable=False, server_default=sa.func.now()),
)

actions = sa.Table(
    "care_actions", metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("key", sa.Text, nullable=False, unique=True),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("dealer_id", sa.Text, nullable=False),
    sa.Column("customer_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("vehicle_id", UUID(as_uuid=True)),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("critical", sa.Boolean, nullable=False),
    sa.Column("variables", JSONB, nullable=False),
    sa.Column("due_at", TZ, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="pending"),
    sa.Column("outcome", sa.Text),
    sa.Column("created_at", TZ, nullable=False, server_default=sa.func.now()),
    sa.Column("processed_at", TZ),
    sa.Index("care_actions_pending", "due_at", postgresql_where=sa.text("status = 'pending'")),
)

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
