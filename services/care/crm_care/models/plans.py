"""A dealer's contact policy, its care plans and the actions the due-scan stores."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from crm_care.models.base import TZ, metadata

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
