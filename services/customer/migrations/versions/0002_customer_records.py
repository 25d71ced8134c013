"""The full customer record, vehicles, ownership, odometer, visits, consent, leads, PII access log, imports.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.alter_column("customers", "mobile", nullable=True)
    for column in (
        sa.Column("email", sa.Text), sa.Column("wechat_openid", sa.Text), sa.Column("gender", sa.Text),
        sa.Column("birth_date", sa.Date),
        sa.Column("lunar_birthday", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("language", sa.Text, nullable=False, server_default="zh-CN"),
        sa.Column("province", sa.Text), sa.Column("city", sa.Text), sa.Column("address", sa.Text),
        sa.Column("id_number_cipher", sa.LargeBinary), sa.Column("id_number_key", sa.Text),
        sa.Column("id_number_hash", sa.Text), sa.Column("id_number_masked", sa.Text),
        sa.Column("credit_code", sa.Text), sa.Column("age_band", sa.Text), sa.Column("income_band", sa.Text),
        sa.Column("education", sa.Text), sa.Column("source_channel", sa.Text),
        sa.Column("tags", postgresql.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("merged_into", sa.Uuid), sa.Column("erased_at", TZ),
    ):
        op.add_column("customers", column)
    op.create_index("customers_dealer_id_hash", "customers", ["dealer_id", "id_number_hash"], unique=True,
                    postgresql_where=sa.text("id_number_hash IS NOT NULL"))
    op.create_index("customers_dealer_created", "customers", ["dealer_id", "created_at", "id"])
    op.create_index("customers_dealer_name", "customers", ["dealer_id", "name", "id"],
                    postgresql_ops={"name": "text_pattern_ops"})
    op.create_index("customers_tags", "customers", ["tags"], postgresql_using="gin")

    op.create_table(
        "vehicles",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customers.id"), nullable=False, index=True),
        sa.Column("vin", sa.Text, nullable=False, unique=True),
        sa.Column("plate", sa.Text, index=True),
        sa.Column("brand", sa.Text, nullable=False), sa.Column("model", sa.Text, nullable=False),
        sa.Column("trim", sa.Text), sa.Column("model_year", sa.Integer),
        sa.Column("delivery_date", sa.Date), sa.Column("registration_date", sa.Date),
        sa.Column("purchase_price", sa.Numeric(12, 2)), sa.Column("warranty_end", sa.Date),
        sa.Column("insurance_expiry", sa.Date),
        sa.Column("sold_by_dealer", sa.Boolean, nullable=False),
        sa.Column("odometer_km", sa.Integer), sa.Column("odometer_read_on", sa.Date),
        sa.Column("created_at", TZ, nullable=False), sa.Column("updated_at", TZ, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "ownerships",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("vehicle_id", sa.Uuid, sa.ForeignKey("vehicles.id"), nullable=False, index=True),
        sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customers.id"), nullable=False, index=True),
        sa.Column("from_date", sa.Date, nullable=False),
        sa.Column("to_date", sa.Date),
    )
    op.create_table(
        "odometer_readings",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("vehicle_id", sa.Uuid, sa.ForeignKey("vehicles.id"), nullable=False, index=True),
        sa.Column("km", sa.Integer, nullable=False),
        sa.Column("read_on", sa.Date, nullable=False),
        sa.Column("correction", sa.Boolean, nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
    )
    op.create_table(
        "visits",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customers.id"), nullable=False, index=True),
        sa.Column("vehicle_id", sa.Uuid, sa.ForeignKey("vehicles.id"), index=True),
        sa.Column("kind", sa.Text, nullable=False), sa.Column("subkind", sa.Text, nullable=False),
        sa.Column("visited_on", sa.Date, nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False), sa.Column("margin", sa.Numeric(12, 2)),
        sa.Column("odometer_km", sa.Integer), sa.Column("advisor_id", sa.Text),
        sa.Column("order_number", sa.Text, nullable=False),
        sa.Column("closed", sa.Boolean, nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.UniqueConstraint("dealer_id", "order_number", name="visits_dealer_order_number"),
    )
    op.create_table(
        "consents",
        sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customers.id"), primary_key=True),
        sa.Column("purpose", sa.Text, primary_key=True),
        sa.Column("channel", sa.Text, primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("evidence", sa.Text),
        sa.Column("changed_at", TZ, nullable=False),
    )
    op.create_table(
        "consent_history",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("customer_id", sa.Uuid, nullable=False, index=True),
        sa.Column("purpose", sa.Text, nullable=False), sa.Column("channel", sa.Text, nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False), sa.Column("source", sa.Text, nullable=False),
        sa.Column("evidence", sa.Text), sa.Column("changed_by", sa.Text, nullable=False),
        sa.Column("changed_at", TZ, nullable=False),
    )
    op.create_table(
        "leads",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False, index=True),
        sa.Column("name", sa.Text, nullable=False), sa.Column("mobile", sa.Text),
        sa.Column("id_number_cipher", sa.LargeBinary), sa.Column("id_number_key", sa.Text),
        sa.Column("id_number_hash", sa.Text),
        sa.Column("source_channel", sa.Text), sa.Column("interested_model", sa.Text),
        sa.Column("customer_id", sa.Uuid),
        sa.Column("created_at", TZ, nullable=False), sa.Column("converted_at", TZ),
    )
    op.create_table(
        "pii_access_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("principal", sa.Text, nullable=False),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("customer_id", sa.Uuid),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("fields", postgresql.ARRAY(sa.Text), nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("request_id", sa.Text),
    )
    op.create_index("pii_access_log_dealer", "pii_access_log", ["dealer_id", "id"])
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        *(sa.Column(name, sa.Integer, nullable=False)
          for name in ("total_rows", "processed", "created", "updated", "unchanged", "failed")),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
    )
    op.create_index("import_jobs_pending", "import_jobs", ["created_at"],
                    postgresql_where=sa.text("status IN ('queued', 'running')"))
    op.create_table(
        "import_rows",
        sa.Column("job_id", sa.Uuid, sa.ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("line", sa.Integer, primary_key=True),
        sa.Column("payload", postgresql.JSONB),
        sa.Column("outcome", sa.Text),
        sa.Column("record_id", sa.Text),
        sa.Column("errors", postgresql.JSONB),
        sa.Column("warnings", postgresql.JSONB),
    )
    op.create_index("import_rows_pending", "import_rows", ["job_id", "line"],
                    postgresql_where=sa.text("outcome IS NULL"))


def downgrade() -> None:
    for table in ("import_rows", "import_jobs", "pii_access_log", "leads", "consent_history", "consents",
                  "visits", "odometer_readings", "ownerships", "vehicles"):
        op.drop_table(table)
    for index in ("customers_tags", "customers_dealer_name", "customers_dealer_created", "customers_dealer_id_hash"):
        op.drop_index(index, table_name="customers")
    for column in ("email", "wechat_openid", "gender", "birth_date", "lunar_birthday", "language", "province",
                   "city", "address", "id_number_cipher", "id_number_key", "id_number_hash", "id_number_masked",
                   "credit_code", "age_band", "income_band", "education", "source_channel", "tags", "merged_into",
                   "erased_at"):
        op.drop_column("customers", column)
    op.alter_column("customers", "mobile", nullable=False)
