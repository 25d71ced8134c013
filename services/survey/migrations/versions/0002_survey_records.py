"""Templates, dealer settings, the customers' survey facts, invitations, responses, hot alerts, rollups.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "template_versions",
        sa.Column("template_id", sa.Uuid, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("dealer_id", sa.Text),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("definition", JSONB, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("published_at", TS),
        sa.CheckConstraint("status IN ('draft', 'published')", name="template_status"),
    )
    op.create_index("template_versions_dealer_kind", "template_versions", ["dealer_id", "kind"])
    op.create_table(
        "dealer_settings",
        sa.Column("dealer_id", sa.Text, primary_key=True),
        sa.Column("ssi_delay_days", sa.Integer, nullable=False),
        sa.Column("csi_delay_hours", sa.Integer, nullable=False),
        sa.Column("follow_up_delay_days", sa.Integer, nullable=False),
        sa.Column("expiry_days", sa.Integer, nullable=False),
        sa.Column("quiet_period_days", sa.Integer, nullable=False),
        sa.Column("stale_visit_days", sa.Integer, nullable=False),
        sa.Column("ssi_template_id", sa.Uuid),
        sa.Column("csi_template_id", sa.Uuid),
        sa.Column("follow_up_template_id", sa.Uuid),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
    )
    op.create_table(
        "survey_customers",
        sa.Column("customer_id", sa.Uuid, primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False, server_default="zh-CN"),
        sa.Column("consent_channels", JSONB, nullable=False, server_default="[]"),
        sa.Column("erased", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("merged_into", sa.Uuid),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("token", sa.Text, nullable=False, unique=True),
        sa.Column("customer_id", sa.Uuid, nullable=False),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("template_id", sa.Uuid, nullable=False),
        sa.Column("template_version", sa.Integer, nullable=False),
        sa.Column("visit_id", sa.Uuid),
        sa.Column("case_id", sa.Uuid),
        sa.Column("advisor_id", sa.Text),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("suppressed_reason", sa.Text),
        sa.Column("send_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("sent_at", TS),
        sa.Column("opened_at", TS),
        sa.Column("answered_at", TS),
        sa.Column("expired_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("status IN ('scheduled', 'sent', 'opened', 'answered', 'expired', 'suppressed')",
                           name="invitation_status"),
    )
    op.create_index("invitations_customer", "invitations", ["customer_id", "send_at"])
    op.create_index("invitations_dealer", "invitations", ["dealer_id", "created_at", "id"])
    op.create_index("invitations_one_per_visit", "invitations", ["visit_id", "kind"], unique=True,
                    postgresql_where=sa.text("visit_id IS NOT NULL"))
    op.create_index("invitations_one_per_case", "invitations", ["case_id"], unique=True,
                    postgresql_where=sa.text("case_id IS NOT NULL"))
    op.create_index("invitations_due", "invitations", ["send_at"],
                    postgresql_where=sa.text("status = 'scheduled'"))
    op.create_index("invitations_expiring", "invitations", ["expires_at"],
                    postgresql_where=sa.text("status IN ('sent', 'opened')"))
    op.create_table(
        "responses",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("invitation_id", sa.Uuid, nullable=False, unique=True),
        sa.Column("customer_id", sa.Uuid, nullable=False),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("template_id", sa.Uuid, nullable=False),
        sa.Column("template_version", sa.Integer, nullable=False),
        sa.Column("advisor_id", sa.Text),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("agent_id", sa.Text),
        sa.Column("answers", JSONB, nullable=False),
        sa.Column("free_text", JSONB, nullable=False, server_default="{}"),
        sa.Column("index", sa.Float),
        sa.Column("factor_scores", JSONB, nullable=False, server_default="{}"),
        sa.Column("nps", sa.Integer),
        sa.Column("nps_category", sa.Text),
        sa.Column("satisfaction_ratio", sa.Float),
        sa.Column("pair_ratios", JSONB, nullable=False, server_default="{}"),
        sa.Column("metrics", JSONB, nullable=False, server_default="{}"),
        sa.Column("recorded_at", TS, nullable=False),
    )
    op.create_index("responses_customer", "responses", ["customer_id"])
    op.create_index("responses_dealer", "responses", ["dealer_id", "recorded_at", "id"])
    op.create_table(
        "hot_alerts",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("response_id", sa.Uuid, nullable=False),
        sa.Column("customer_id", sa.Uuid, nullable=False),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("question_id", sa.Text, nullable=False),
        sa.Column("question_text", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("raised_at", TS, nullable=False),
        sa.Column("case_id", sa.Uuid),
        sa.Column("resolved_at", TS),
    )
    op.create_index("hot_alerts_customer", "hot_alerts", ["customer_id"])
    op.create_index("hot_alerts_dealer", "hot_alerts", ["dealer_id", "raised_at", "id"])
    op.create_table(
        "score_rollups",
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("dealer_id", sa.Text, primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("advisor_id", sa.Text, primary_key=True),
        sa.Column("metric", sa.Text, primary_key=True),
        sa.Column("total", sa.Float, nullable=False),
        sa.Column("count", sa.BigInteger, nullable=False),
    )
    op.create_index("score_rollups_network", "score_rollups", ["kind", "month", "metric"])


def downgrade() -> None:
    for table in ("score_rollups", "hot_alerts", "responses", "invitations", "survey_customers", "dealer_settings",
                  "template_versions"):
        op.drop_table(table)
