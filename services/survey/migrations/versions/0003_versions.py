"""Dealer settings carry a version and templates a revision, so a change names the state it read
(ETag / If-Match). A template's existing versions take their number as revision: newer is higher.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column("dealer_settings", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.add_column("template_versions", sa.Column("revision", sa.Integer, nullable=False, server_default="1"))
    op.execute("UPDATE template_versions SET revision = version")


def downgrade() -> None:
    op.drop_column("template_versions", "revision")
    op.drop_column("dealer_settings", "version")
