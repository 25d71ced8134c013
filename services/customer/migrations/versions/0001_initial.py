"""Customers, plus the outbox and inbox every service has.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from crm_kit.migrations import create_kit_tables, drop_kit_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_kit_tables(op.get_bind())
    op.create_table(
        "customers",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False, index=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("mobile", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("dealer_id", "mobile", name="customers_dealer_mobile"),
    )


def downgrade() -> None:
    op.drop_table("customers")
    drop_kit_tables(op.get_bind())
