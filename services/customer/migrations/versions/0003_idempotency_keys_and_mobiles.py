"""Idempotency keys of keyed writes, per dealer; a customer's other mobiles, and every number of every customer
in `customer_mobiles`, whose primary key keeps a number to one customer per dealer; marital status, children
and an organisation's contacts.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("dealer_id", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("request_hash", sa.Text, nullable=False),
        sa.Column("resource_id", sa.Text, nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column("customers", sa.Column("other_mobiles", postgresql.ARRAY(sa.Text), nullable=False,
                                         server_default="{}"))
    op.add_column("customers", sa.Column("marital_status", sa.Text))
    op.add_column("customers", sa.Column("children", sa.Integer))
    op.add_column("customers", sa.Column("contacts", postgresql.JSONB, nullable=False, server_default="[]"))
    op.create_table(
        "customer_mobiles",
        sa.Column("dealer_id", sa.Text, primary_key=True),
        sa.Column("mobile", sa.Text, primary_key=True),
        sa.Column("customer_id", sa.Uuid, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False,
                  index=True),
    )
    op.execute("INSERT INTO customer_mobiles (dealer_id, mobile, customer_id) "
               "SELECT dealer_id, mobile, id FROM customers WHERE mobile IS NOT NULL")


def downgrade() -> None:
    op.drop_table("customer_mobiles")
    for column in ("contacts", "children", "marital_status", "other_mobiles"):
        op.drop_column("customers", column)
    op.drop_table("idempotency_keys")
