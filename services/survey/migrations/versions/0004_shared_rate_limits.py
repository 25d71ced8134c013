"""The replicas' pooled rate counts for the public survey page (crm_kit.shared_limits), so the limits per
link and per address hold across replicas.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "rate_limit_counts",
        sa.Column("limiter", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("period", sa.BigInteger, primary_key=True),
        sa.Column("admitted", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("rate_limit_counts_recent", "rate_limit_counts", ["limiter", "period", "updated_at"])


def downgrade() -> None:
    op.drop_table("rate_limit_counts")
