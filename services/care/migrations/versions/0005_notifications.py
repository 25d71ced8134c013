"""Staff notifications and each user's channel choice.

Revision ID: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision = "0005"
down_revision = "0004"

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "care_notifications",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("subject_id", UUID(as_uuid=True), nullable=False),
        sa.Column("customer_id", UUID(as_uuid=True)),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("read_at", TZ),
        sa.Column("delivery", sa.Text, nullable=False, server_default="none"),
        sa.Column("channel", sa.Text),
        sa.Column("address", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TZ),
        sa.Column("provider_id", sa.Text),
        sa.Column("last_error", sa.Text),
        sa.Column("sent_at", TZ),
        sa.UniqueConstraint("user_id", "kind", "subject_id", name="care_notifications_once"),
    )
    op.create_index("care_notifications_inbox", "care_notifications", ["user_id", "created_at"])
    op.create_index("care_notifications_queued", "care_notifications", ["next_attempt_at"],
                    postgresql_where=sa.text("delivery = 'queued'"))
    op.create_table(
        "care_notification_settings",
        sa.Column("user_id", sa.Text, primary_key=True),
        sa.Column("dealer_id", sa.Text, primary_key=True),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("address", sa.Text),
        sa.Column("kinds", ARRAY(sa.Text), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("care_notification_settings")
    op.drop_table("care_notifications")
