"""API clients carry a version, so disabling, enabling or renaming one names the read it was based on (If-Match).

Paused subscriptions and held deliveries need no column: `status` is free text, checked by the models.

Revision ID: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.add_column("api_clients", sa.Column("version", sa.Integer, nullable=False, server_default="1"))


def downgrade() -> None:
    op.drop_column("api_clients", "version")
