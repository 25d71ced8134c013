"""A staff member's notification settings carry a version, so a save names the one it read (ETag / If-Match):
a second tab or device saving meanwhile is told, not silently overwritten.

Revision ID: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.add_column("care_notification_settings",
                  sa.Column("version", sa.Integer, nullable=False, server_default="1"))


def downgrade() -> None:
    op.drop_column("care_notification_settings", "version")
