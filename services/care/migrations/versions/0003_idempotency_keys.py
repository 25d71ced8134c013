"""Idempotency keys for the writes a client retries (a rescue request from a phone on a bad network).

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    for table in ("care_rescues", "care_cases"):
        op.add_column(table, sa.Column("idempotency_key", sa.Text))
        op.create_unique_constraint(f"{table}_idempotency", table, ["dealer_id", "idempotency_key"])


def downgrade() -> None:
    for table in ("care_rescues", "care_cases"):
        op.drop_constraint(f"{table}_idempotency", table)
        op.drop_column(table, "idempotency_key")
