"""Profiles, plus the outbox and inbox every service has.

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
        "profiles",
        sa.Column("customer_id", sa.Uuid, primary_key=True),
        sa.Column("dealer_id", sa.Text, nullable=False, index=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("profiles")
    drop_kit_tables(op.get_bind())
