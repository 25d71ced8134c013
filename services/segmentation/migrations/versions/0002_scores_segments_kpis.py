"""Profile facts and scores, vehicle profiles, visit history, dealer settings and fits, scoring jobs,
segments and their members, monthly KPI snapshots.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"

PROFILE_COLUMNS = [
    sa.Column("erased", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("merged_into", sa.Uuid),
    sa.Column("first_visit_on", sa.Date), sa.Column("last_visit_on", sa.Date),
    sa.Column("first_purchase_on", sa.Date), sa.Column("last_purchase_on", sa.Date),
    sa.Column("last_service_on", sa.Date),
    sa.Column("visit_days", sa.Integer, nullable=False, server_default="0"),
    sa.Column("visits_total", sa.Integer, nullable=False, server_default="0"),
    sa.Column("visits_12m", sa.Integer, nullable=False, server_default="0"),
    sa.Column("visits_prior_12m", sa.Integer, nullable=False, server_default="0"),
    sa.Column("spend_total", sa.Numeric(14, 2), nullable=False, server_default="0"),
    sa.Column("spend_12m", sa.Numeric(14, 2), nullable=False, server_default="0"),
    sa.Column("margin_total", sa.Numeric(14, 2), nullable=False, server_default="0"),
    sa.Column("margin_12m", sa.Numeric(14, 2), nullable=False, server_default="0"),
    sa.Column("vehicles", sa.Integer, nullable=False, server_default="0"),
    sa.Column("months_since_last_service", sa.Integer),
    sa.Column("retention_status", sa.Text), sa.Column("first_service_status", sa.Text),
    sa.Column("recency_score", sa.SmallInteger), sa.Column("frequency_score", sa.SmallInteger),
    sa.Column("monetary_score", sa.SmallInteger),
    sa.Column("rfm_segment", sa.Text), sa.Column("rfm_type", sa.Text), sa.Column("abc_class", sa.Text),
    sa.Column("clv_manual", sa.Numeric(14, 2)), sa.Column("clv", sa.Numeric(14, 2)),
    sa.Column("p_alive", sa.Float), sa.Column("expected_visits_12m", sa.Float),
    sa.Column("margin_per_visit", sa.Numeric(14, 2)),
    sa.Column("value_type", sa.Text), sa.Column("lifecycle_stage", sa.Text), sa.Column("churn_risk", sa.Text),
    sa.Column("churn_reasons", JSONB, nullable=False, server_default="[]"),
    sa.Column("scored_at", sa.DateTime(timezone=True)),
]


def upgrade() -> None:
    for column in ("kind", "status", "registered_at"):  # a visit may arrive before the registration
        op.alter_column("profiles", column, nullable=True)
    for column in PROFILE_COLUMNS:
        op.add_column("profiles", column)
    op.create_index("profiles_dealer_customer", "profiles", ["dealer_id", "customer_id"])

    op.create_table(
        "vehicle_profiles",
        sa.Column("vehicle_id", sa.Uuid, primary_key=True),
        sa.Column("customer_id", sa.Uuid, nullable=False, index=True),
        sa.Column("dealer_id", sa.Text, nullable=False, index=True),
        sa.Column("brand", sa.Text), sa.Column("model", sa.Text),
        sa.Column("delivery_date", sa.Date),
        sa.Column("sold_by_dealer", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("first_service_on", sa.Date), sa.Column("last_service_on", sa.Date),
        sa.Column("service_visits", sa.Integer, nullable=False, server_default="0"),
        sa.Column("usual_interval_months", sa.Float),
        sa.Column("last_km", sa.Integer), sa.Column("last_km_on", sa.Date),
        sa.Column("avg_daily_km", sa.Float),
        sa.Column("age_years", sa.Integer),
        sa.Column("retention_status", sa.Text), sa.Column("months_since_service", sa.Integer),
        sa.Column("status_reason", sa.Text), sa.Column("first_service_status", sa.Text),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "visits",
        sa.Column("visit_id", sa.Uuid, primary_key=True),
        sa.Column("customer_id", sa.Uuid, nullable=False, index=True),
        sa.Column("vehicle_id", sa.Uuid, index=True),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False), sa.Column("subkind", sa.Text, nullable=False),
        sa.Column("visited_on", sa.Date, nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("margin", sa.Numeric(14, 2)),
        sa.Index("visits_dealer_day", "dealer_id", "visited_on"),
    )
    op.create_table(
        "odometer_readings",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("vehicle_id", sa.Uuid, nullable=False, index=True),
        sa.Column("read_on", sa.Date, nullable=False),
        sa.Column("km", sa.Integer, nullable=False),
        sa.Column("correction", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "dealer_settings",
        sa.Column("dealer_id", sa.Text, primary_key=True),
        sa.Column("settings", JSONB, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Text),
    )
    op.create_table(
        "dealer_fits",
        sa.Column("dealer_id", sa.Text, primary_key=True),
        sa.Column("fit", JSONB, nullable=False),
        sa.Column("fitted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "scoring_jobs",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("requested_by", sa.Text),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("customers", sa.Integer),
        sa.Column("error", sa.Text),
        sa.Index("scoring_jobs_one_queued", "dealer_id", unique=True,
                 postgresql_where=sa.text("status = 'queued'")),
        sa.Index("scoring_jobs_queue", "requested_at", postgresql_where=sa.text("status = 'queued'")),
    )
    op.create_table(
        "segments",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False, index=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("filter", JSONB),
        sa.Column("created_by", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("dealer_id", "name", name="segments_dealer_name"),
    )
    op.create_table(
        "segment_members",
        sa.Column("segment_id", sa.Uuid, sa.ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("customer_id", sa.Uuid, primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Index("segment_members_customer", "customer_id"),
    )
    op.create_table(
        "kpi_snapshots",
        sa.Column("dealer_id", sa.Text, primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("age_years", sa.Integer, primary_key=True),
        sa.Column("sold", sa.Integer, nullable=False),
        sa.Column("grasped", sa.Integer, nullable=False),
        sa.Column("base", sa.Integer, nullable=False),
        sa.Column("active", sa.Integer, nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("kpi_snapshots", "segment_members", "segments", "scoring_jobs", "dealer_fits",
                  "dealer_settings", "odometer_readings", "visits", "vehicle_profiles"):
        op.drop_table(table)
    op.drop_index("profiles_dealer_customer", "profiles")
    for column in PROFILE_COLUMNS:
        op.drop_column("profiles", column.name)

