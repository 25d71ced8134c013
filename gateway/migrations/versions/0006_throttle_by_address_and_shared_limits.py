"""Login throttling by account and source address (plus per address), and the replicas' shared rate counts.

The old table counted failures per account from anywhere, so an attacker could lock the owner out. Its
rows are short-lived blocks, not records: it is replaced, not converted.

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.drop_table("login_throttle")
    op.create_table(
        "login_throttle",
        sa.Column("account", sa.Text, primary_key=True),  # "" = every account, from this address
        sa.Column("address", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_failure_at", TZ, nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "rate_limit_counts",  # crm_kit.shared_limits
        sa.Column("limiter", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("period", sa.BigInteger, primary_key=True),
        sa.Column("admitted", sa.BigInteger, nullable=False),
        sa.Column("updated_at", TZ, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("rate_limit_counts_recent", "rate_limit_counts", ["limiter", "period", "updated_at"])


def downgrade() -> None:
    op.drop_table("rate_limit_counts")
    op.drop_table("login_throttle")
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_failure_at", TZ, nullable=False, server_default=sa.func.now()),
    )
